package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.config.ConfigLoader;
import ai.sophia.error.ConfigException;
import ai.sophia.error.StorageException;
import ai.sophia.ingest.IngestProgress;
import ai.sophia.memory.TestPostgres;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole Sophia with {@code storage.backend: postgres} against a real PostgreSQL: API keys,
 * research results and agent runs are written there (no {@code sophia.db} appears) and survive a
 * restart.
 */
class PostgresSophiaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SECRET = Pattern.compile("shown once\\): (sk-sophia-\\S+)");
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path dir;

  private Map<String, String> env(String database, String password) {
    Map<String, String> env = new HashMap<>();
    env.put("SOPHIA_DATA_DIR", dir.resolve("data").toString());
    env.put("SOPHIA_SERVER_PORT", "0");
    env.put("SOPHIA_STORAGE_BACKEND", "postgres");
    env.put("SOPHIA_STORAGE_POSTGRES_URL", TestPostgres.get().create(database));
    env.put("SOPHIA_STORAGE_POSTGRES_USER", TestPostgres.USER);
    if (password != null) {
      env.put("SOPHIA_STORAGE_POSTGRES_PASSWORD", password);
    }
    return env;
  }

  private Sophia open(Map<String, String> env) {
    return Sophia.open(ConfigLoader.create(env).load(Optional.empty()), env);
  }

  private HttpResponse<String> send(int port, String path, String secret, String postJson)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + secret);
    if (postJson != null) {
      r.header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(postJson));
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void serve_onPostgres_keysResearchAndAgentRunsLiveThereAndSurviveARestart() throws Exception {
    Path docs = Files.createDirectories(dir.resolve("docs"));
    Files.writeString(
        docs.resolve("mvcc.md"),
        "# MVCC\n\nPostgreSQL keeps several versions of a row: a writer creates a new version"
            + " and readers keep reading the old one, so readers never wait for writers. VACUUM"
            + " later removes the versions no transaction can see any more.\n");
    Map<String, String> env = env("e2e_serve", TestPostgres.PASSWORD);
    String bootstrap;
    String user;
    String researchId;
    String runId;
    StringWriter console = new StringWriter();
    try (Sophia sophia = open(env)) {
      sophia.ingestor().ingest(docs.toString(), false, IngestProgress.none());
      int port = sophia.serve(new PrintWriter(console));
      Matcher m = SECRET.matcher(console.toString());
      assertThat(m.find()).as(console.toString()).isTrue();
      bootstrap = m.group(1);
      user = sophia.apiKeys().create("e2e", Role.user).secret();

      HttpResponse<String> health = send(port, "/health", bootstrap, null);
      assertThat(health.body()).contains("postgresql").doesNotContain(TestPostgres.PASSWORD);
      HttpResponse<String> chat =
          send(
              port,
              "/api/v1/chat",
              user,
              "{\"query\":\"why do readers not wait for writers\",\"search_engine\":\"local\"}");
      assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
      researchId = JSON.readTree(chat.body()).get("id").asText();
      HttpResponse<String> run =
          send(
              port,
              "/api/v1/agents/analysis/run",
              user,
              "{\"input\":\"Summarize MVCC\",\"wait\":true}");
      assertThat(run.statusCode()).as(run.body()).isIn(200, 201);
      runId = JSON.readTree(run.body()).at("/run_id").asText();
      assertThat(runId).isNotEmpty();
    }

    assertThat(dir.resolve("data").resolve("sophia.db")).doesNotExist();
    try (Connection c =
        DriverManager.getConnection(
            TestPostgres.get().url("e2e_serve"), TestPostgres.USER, TestPostgres.PASSWORD)) {
      assertThat(count(c, "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL")).isEqualTo(2);
      assertThat(count(c, "SELECT COUNT(*) FROM research_results")).isEqualTo(1);
      assertThat(count(c, "SELECT COUNT(*) FROM agent_runs")).isEqualTo(1);
      assertThat(count(c, "SELECT COUNT(*) FROM documents")).isEqualTo(1);
    }

    StringWriter second = new StringWriter();
    try (Sophia restarted = open(env)) {
      int port = restarted.serve(new PrintWriter(second));
      assertThat(second.toString()).isEmpty();

      HttpResponse<String> stored = send(port, "/api/v1/research/" + researchId, user, null);
      assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
      assertThat(JSON.readTree(stored.body()).get("query").asText())
          .isEqualTo("why do readers not wait for writers");
      HttpResponse<String> run = send(port, "/api/v1/runs/" + runId, user, null);
      assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(run.body());
      assertThat(body.toString()).contains("Summarize MVCC");
      assertThat(send(port, "/api/v1/system/stats", bootstrap, null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void open_wrongPassword_failsNamingTheServerButNotThePassword() {
    Map<String, String> env = env("e2e_denied", "not-the-password");

    assertThatThrownBy(() -> open(env))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(TestPostgres.get().url("e2e_denied"))
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining("not-the-password");
  }

  @Test
  void open_noPassword_refusesNamingWhereToPutIt() {
    Map<String, String> env = env("e2e_nopassword", null);

    assertThatThrownBy(() -> open(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SOPHIA_STORAGE_POSTGRES_PASSWORD");
  }

  private static long count(Connection c, String sql) throws Exception {
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
