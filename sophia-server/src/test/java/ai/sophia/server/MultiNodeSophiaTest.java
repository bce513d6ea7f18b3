package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.ConfigLoader;
import ai.sophia.memory.TestPostgres;
import ai.sophia.redis.TestRedis;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real Sophia servers (two data directories, one PostgreSQL database, one Redis), as two nodes
 * behind a load balancer: a key's rate limit holds across both, a dashboard session opened on one
 * is valid on the other; with Redis stopped both keep answering, degraded and saying so in /health;
 * with Redis back they share again.
 */
class MultiNodeSophiaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double PER_SECOND = 1;
  private static final int BURST = 10;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @TempDir Path dir;

  private Map<String, String> env(Map<String, String> shared, String node) {
    Map<String, String> env = new HashMap<>(shared);
    env.put("SOPHIA_DATA_DIR", dir.resolve(node).toString());
    env.put("SOPHIA_SERVER_PORT", "0");
    return env;
  }

  private static Sophia open(Map<String, String> env) {
    return Sophia.open(ConfigLoader.create(env).load(Optional.empty()), env);
  }

  /** {@code headers} are name, value, name, value... */
  private HttpResponse<String> send(int port, String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    r.method(method, HttpRequest.BodyPublishers.noBody());
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
    return send(port, "GET", path, headers);
  }

  /** A dashboard sign-in: the cookie ({@code name=value}) and the CSRF token of its session. */
  private record SignedIn(String cookie, String csrf) {}

  /** Signs in on {@code port} with {@code secret}. */
  private SignedIn signIn(int port, String secret) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/session"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"api_key\":\"" + secret + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    return new SignedIn(
        cookie.substring(0, cookie.indexOf(';')),
        JSON.readTree(r.body()).get("csrf_token").asText());
  }

  /**
   * Sends requests of one key to both nodes in turn; how many were allowed, and checks the sum is
   * the burst plus what refilled meanwhile (one node alone would allow the burst by itself).
   */
  private void assertSharedLimit(int portA, int portB, String secret) throws Exception {
    long started = System.nanoTime();
    int allowed = 0;
    int refusedA = 0;
    int refusedB = 0;
    for (int i = 0; i < 3 * BURST; i++) {
      int port = i % 2 == 0 ? portA : portB;
      int status = get(port, "/api/v1/agents", "Authorization", "Bearer " + secret).statusCode();
      assertThat(status).isIn(200, 429);
      if (status == 200) {
        allowed++;
      } else if (port == portA) {
        refusedA++;
      } else {
        refusedB++;
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    assertThat(allowed).isBetween(BURST, BURST + (int) Math.ceil(seconds * PER_SECOND) + 1);
    assertThat(allowed).as("fewer than two nodes' bursts").isLessThan(2 * BURST);
    assertThat(refusedA).isPositive();
    assertThat(refusedB).isPositive();
  }

  private JsonNode redisHealth(int port) throws Exception {
    JsonNode health = JSON.readTree(get(port, "/health").body());
    for (JsonNode c : health.get("components")) {
      if (c.get("name").asText().equals("redis")) {
        return JSON.createObjectNode()
            .put("overall", health.get("status").asText())
            .setAll((com.fasterxml.jackson.databind.node.ObjectNode) c);
      }
    }
    throw new AssertionError("no redis in " + health);
  }

  /** Polls /health (cached for a second) until Redis reads {@code state} there. */
  private JsonNode awaitRedis(int port, String state) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      JsonNode redis = redisHealth(port);
      if (redis.get("status").asText().equals(state)) {
        return redis;
      }
      assertThat(System.nanoTime())
          .as("redis " + state + " in /health: " + redis)
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  @Test
  void twoNodes_oneRedis_shareLimitsAndSessionsAndOutlastAnOutage() throws Exception {
    TestRedis redis = TestRedis.startPrivate();
    Map<String, String> shared = new HashMap<>(redis.env());
    shared.put("SOPHIA_STORAGE_BACKEND", "postgres");
    shared.put("SOPHIA_STORAGE_POSTGRES_URL", TestPostgres.get().create("multinode"));
    shared.put("SOPHIA_STORAGE_POSTGRES_USER", TestPostgres.USER);
    shared.put("SOPHIA_STORAGE_POSTGRES_PASSWORD", TestPostgres.PASSWORD);
    shared.put("SOPHIA_SECURITY_RATE_LIMIT_REQUESTS_PER_SECOND", Double.toString(PER_SECOND));
    shared.put("SOPHIA_SECURITY_RATE_LIMIT_BURST", Integer.toString(BURST));
    try (redis;
        Sophia a = open(env(shared, "a"));
        Sophia b = open(env(shared, "b"))) {
      int portA = a.serve(new PrintWriter(new StringWriter()));
      int portB = b.serve(new PrintWriter(new StringWriter()));
      awaitRedis(portA, "up");

      // One key's limit across both nodes.
      assertSharedLimit(portA, portB, a.apiKeys().create("limits", Role.user).secret());

      // A session opened on A is valid on B; signed out on B, it is over on A.
      SignedIn signedIn = signIn(portA, a.apiKeys().create("dashboard", Role.user).secret());
      String cookie = signedIn.cookie();
      assertThat(get(portB, "/api/v1/session", "Cookie", cookie).statusCode()).isEqualTo(200);
      HttpResponse<String> signOut =
          send(
              portB,
              "DELETE",
              "/api/v1/session",
              "Cookie",
              cookie,
              "X-CSRF-Token",
              signedIn.csrf());
      assertThat(signOut.statusCode()).as(signOut.body()).isEqualTo(204);
      assertThat(get(portA, "/api/v1/session", "Cookie", cookie).statusCode()).isEqualTo(401);
      String before = signIn(portA, a.apiKeys().create("before", Role.user).secret()).cookie();

      // Redis gone: both answer, degraded and saying why; API keys work, sign-in clearly does not.
      redis.stop();
      JsonNode down = awaitRedis(portB, "down");
      assertThat(down.get("overall").asText()).isEqualTo("degraded");
      assertThat(down.get("detail").asText()).contains("rate limits hold per node only");
      assertThat(awaitRedis(portA, "down").get("overall").asText()).isEqualTo("degraded");
      String during = a.apiKeys().create("during", Role.user).secret();
      for (int port : new int[] {portA, portB}) {
        HttpResponse<String> read =
            get(port, "/api/v1/agents", "Authorization", "Bearer " + during);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
      }
      HttpResponse<String> session = get(portB, "/api/v1/session", "Cookie", before);
      assertThat(session.statusCode()).isEqualTo(503);
      assertThat(session.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
      assertThat(session.body()).contains("dashboard sign-in is unavailable").contains("API keys");

      // Redis back (empty: nothing is persisted): both reconnect and share again.
      redis.start();
      awaitRedis(portA, "up");
      awaitRedis(portB, "up");
      String again = signIn(portB, a.apiKeys().create("after", Role.user).secret()).cookie();
      assertThat(get(portA, "/api/v1/session", "Cookie", again).statusCode()).isEqualTo(200);
      assertSharedLimit(portA, portB, a.apiKeys().create("limits-after", Role.user).secret());
    }
  }
}
