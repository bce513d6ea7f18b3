package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.ingest.IngestProgress;
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
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole server as {@code sophia serve} builds it — real SQLite, Lucene, embedding model and
 * research service — answering over HTTP from an ingested folder, and still knowing its results
 * after a restart.
 */
class EndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path dir;

  private static HttpRequest.Builder request(int port, String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void chat_afterIngest_answersFromLocalIndexAndResultSurvivesRestart() throws Exception {
    Path docs = TestDocs.walFolder(dir);
    SophiaConfig config =
        ConfigLoader.create(
                Map.of(
                    "SOPHIA_DATA_DIR", dir.resolve("data").toString(), "SOPHIA_SERVER_PORT", "0"))
            .load(Optional.empty());

    String id;
    String secret;
    try (Sophia sophia = Sophia.open(config, Map.of())) {
      sophia.ingestor().ingest(docs.toString(), false, IngestProgress.none());
      int port = sophia.serve(new PrintWriter(new StringWriter()));
      secret = sophia.apiKeys().create("e2e", Role.user).secret();

      HttpResponse<String> chat =
          send(
              request(port, "/api/v1/chat")
                  .header("Authorization", "Bearer " + secret)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"query\":\"how do readers work in WAL mode\",\"search_engine\":\"local\"}")));

      assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
      JsonNode result = JSON.readTree(chat.body());
      id = result.get("id").asText();
      assertThat(result.get("sources").get(0).get("url").asText()).endsWith("wal.md");
      assertThat(result.get("answer").asText()).contains("[1]");
      assertThat(result.get("metadata").get("mode").asText()).isEqualTo("extractive");

      HttpResponse<String> memory =
          send(
              request(port, "/api/v1/memory/search?q=write-ahead%20log&limit=3")
                  .header("X-API-Key", secret));
      assertThat(memory.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(memory.body()).get("results").get(0).get("url").asText())
          .endsWith("wal.md");
    }

    try (Sophia restarted = Sophia.open(config, Map.of())) {
      int port = restarted.serve(new PrintWriter(new StringWriter()));
      HttpResponse<String> stored =
          send(request(port, "/api/v1/research/" + id).header("X-API-Key", secret));

      assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
      assertThat(JSON.readTree(stored.body()).get("query").asText())
          .isEqualTo("how do readers work in WAL mode");
    }
  }
}
