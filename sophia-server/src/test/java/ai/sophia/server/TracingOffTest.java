package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.ConfigLoader;
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

/** Tracing off, the default: no exporter thread, no trace id in answers or log lines. */
class TracingOffTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static java.util.Set<Thread> exporterThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("BatchSpanProcessor"))
        .collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void serve_tracingOff_noExporterThreadAndNoTraceIds() throws Exception {
    // An earlier test's exporter may still be winding down: only a new one would be this one's.
    java.util.Set<Thread> before = exporterThreads();
    LogLines logs = LogLines.attach();
    Map<String, String> env =
        Map.of("SOPHIA_DATA_DIR", dir.resolve("data").toString(), "SOPHIA_SERVER_PORT", "0");
    try (Sophia sophia = Sophia.open(ConfigLoader.create(env).load(Optional.empty()), env)) {
      sophia.ingestor().ingest(TestDocs.walFolder(dir).toString(), false, IngestProgress.none());
      int port = sophia.serve(new PrintWriter(new StringWriter()));
      String key = sophia.apiKeys().create("off", Role.user).secret();
      HttpClient http = HttpClient.newHttpClient();

      HttpResponse<String> chat =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/chat"))
                  .header("Authorization", "Bearer " + key)
                  .header("Content-Type", "application/json")
                  .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"query\":\"how do readers work in WAL mode\",\"search_engine\":\"local\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> run =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/api/v1/agents/analysis/run"))
                  .header("Authorization", "Bearer " + key)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"WAL?\",\"wait\":true}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
      assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
      assertThat(JSON.readTree(chat.body()).has("trace_id")).isFalse();
      assertThat(JSON.readTree(run.body()).has("trace_id")).isFalse();
      assertThat(exporterThreads()).isSubsetOf(before);
      assertThat(logs.json()).isNotEmpty().noneMatch((JsonNode l) -> l.has("trace_id"));
    } finally {
      logs.detach();
    }
  }
}
