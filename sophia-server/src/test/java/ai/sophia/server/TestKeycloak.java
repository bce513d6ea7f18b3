package ai.sophia.server;

import ai.sophia.testing.TestServers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A real Keycloak (the distribution {@code bin/setup-keycloak.sh} unpacked from Maven Central),
 * started in dev mode on free loopback ports with an in-memory database, and given a realm through
 * its admin REST API. Closing it stops the process.
 */
final class TestKeycloak implements AutoCloseable {
  static final String VERSION = "26.7.3";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START = Duration.ofSeconds(180);

  private final Process process;
  private final Path log;
  final String url;
  private final String adminPassword;
  private final HttpClient http = HttpClient.newHttpClient();

  private TestKeycloak(Process process, Path log, String url, String adminPassword) {
    this.process = process;
    this.log = log;
    this.url = url;
    this.adminPassword = adminPassword;
  }

  /** Where {@code bin/setup-keycloak.sh} unpacked the distribution. */
  static Path home() {
    Path cache =
        TestServers.root()
            ? Path.of("/var/cache/sophia")
            : Path.of(System.getProperty("user.home"), ".cache", "sophia");
    return cache.resolve("keycloak-" + VERSION);
  }

  static TestKeycloak start(Path dir) throws IOException, InterruptedException {
    Path kc = home().resolve("bin/kc.sh");
    if (!Files.isExecutable(kc)) {
      throw new IllegalStateException(kc + " is missing: run bin/setup-keycloak.sh");
    }
    int port = TestServers.freePort();
    String password = UUID.randomUUID().toString();
    Path log = dir.resolve("keycloak.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                kc.toString(),
                "start-dev",
                "--db=dev-mem",
                "--http-host=127.0.0.1",
                "--http-port=" + port,
                "--http-management-port=" + TestServers.freePort())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
    pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", password);
    Process p = pb.start();
    TestKeycloak k = new TestKeycloak(p, log, "http://127.0.0.1:" + port, password);
    Runtime.getRuntime().addShutdownHook(new Thread(k::close));
    k.awaitUp();
    return k;
  }

  private void awaitUp() throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(START);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Keycloak exited:\n" + Files.readString(log));
      }
      try {
        if (get(url + "/realms/master").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    close();
    throw new IllegalStateException("Keycloak did not come up in " + START + ":\n" + tail());
  }

  private String tail() throws IOException {
    String all = Files.readString(log);
    return all.substring(Math.max(0, all.length() - 4000));
  }

  /** Creates a realm from its JSON representation, as an administrator would. */
  void createRealm(String realmJson) throws IOException, InterruptedException {
    String token =
        JSON.readTree(
                form(
                        "/realms/master/protocol/openid-connect/token",
                        Map.of(
                            "grant_type", "password",
                            "client_id", "admin-cli",
                            "username", "admin",
                            "password", adminPassword))
                    .body())
            .path("access_token")
            .asText();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/admin/realms"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(realmJson))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException("creating the realm: " + r.statusCode() + " " + r.body());
    }
  }

  /** A form POST to {@code path} of this Keycloak. */
  HttpResponse<String> form(String path, Map<String, String> fields)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(encode(fields)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** An access token by the client credentials grant. */
  String clientToken(String realm, String clientId, String secret)
      throws IOException, InterruptedException {
    JsonNode t =
        JSON.readTree(
            form(
                    "/realms/" + realm + "/protocol/openid-connect/token",
                    Map.of(
                        "grant_type", "client_credentials",
                        "client_id", clientId,
                        "client_secret", secret))
                .body());
    return t.path("access_token").asText();
  }

  static String encode(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private HttpResponse<String> get(String u) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(u)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
