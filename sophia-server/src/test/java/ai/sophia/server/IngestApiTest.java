package ai.sophia.server;

import static ai.sophia.server.TestServer.assertNoInternals;
import static ai.sophia.server.TestServer.bearer;
import static ai.sophia.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.memory.DocumentIndex;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest while the server runs, over real HTTP: a server-side folder read into the real index
 * through the real embedder, followed on its event stream; the ingested documents listed and one
 * deleted; every bad request a 4xx that names the field.
 */
class IngestApiTest {
  private static final String JSON = "application/json";

  @TempDir static Path dir;
  private static TestServer server;
  private static String admin;
  private static String developer;
  private static String reader;
  private static Path folder;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Files.createDirectories(dir.resolve("data")));
    admin = server.key(Role.admin);
    developer = server.key(Role.developer);
    reader = server.key(Role.readonly);
    folder = Files.createDirectories(dir.resolve("docs"));
    Files.writeString(
        folder.resolve("vacuum.html"),
        "<html><head><title>Routine Vacuuming</title></head><body><p>VACUUM reclaims storage"
            + " occupied by dead tuples and updates the visibility map.</p></body></html>");
    Files.writeString(
        folder.resolve("timeouts.md"),
        "# Statement timeout\n\nstatement_timeout aborts any statement that takes more than the"
            + " specified amount of time.\n");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> ingest(String body, String key) {
    return server.post("/api/v1/ingest", JSON, body, "Authorization", bearer(key));
  }

  @Test
  void folder_ingestedWhileServing_eventsThenDocumentsListedAndOneDeleted() throws Exception {
    HttpResponse<String> started =
        ingest("{\"path\":" + quote(folder.toString()) + ",\"max_pages\":10}", admin);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    JsonNode accepted = json(started);
    String id = accepted.get("id").asText();
    assertThat(accepted.path("links").path("events").asText())
        .isEqualTo("/api/v1/ingest/" + id + "/events");
    assertThat(started.headers().firstValue("Location")).hasValue("/api/v1/ingest/" + id);

    // The stream replays from the first event and ends with done.
    HttpResponse<String> stream =
        server.get(accepted.path("links").path("events").asText(), "Authorization", bearer(reader));
    assertThat(stream.statusCode()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    List<Long> ids = new ArrayList<>();
    for (String line : stream.body().split("\n")) {
      if (line.startsWith("event: ")) {
        names.add(line.substring(7));
      } else if (line.startsWith("id: ")) {
        ids.add(Long.parseLong(line.substring(4).strip()));
      }
    }
    assertThat(names).first().isEqualTo("progress");
    assertThat(names).last().isEqualTo("done");
    assertThat(ids).first().isEqualTo(1L);
    for (int i = 1; i < ids.size(); i++) {
      assertThat(ids.get(i)).isEqualTo(ids.get(i - 1) + 1);
    }

    JsonNode view = json(server.get("/api/v1/ingest/" + id, "Authorization", bearer(reader)));
    assertThat(view.get("status").asText()).as(view.toString()).isEqualTo("succeeded");
    assertThat(view.get("pages_read").asInt()).isEqualTo(2);
    assertThat(view.get("pages_indexed").asInt()).isEqualTo(2);
    assertThat(view.get("passages").asInt()).isPositive();
    assertThat(view.get("finished_at").isNull()).isFalse();
    assertThat(
            json(server.get("/api/v1/ingest", "Authorization", bearer(reader)))
                .path("ingests")
                .findValuesAsText("id"))
        .contains(id);

    // Resuming after the last event gets nothing more but the stream still ends.
    HttpResponse<String> resumed =
        server.get(
            "/api/v1/ingest/" + id + "/events",
            "Authorization",
            bearer(reader),
            "Last-Event-ID",
            Long.toString(ids.getLast()));
    assertThat(resumed.body()).doesNotContain("event: progress");

    JsonNode docs =
        json(server.get("/api/v1/memory/documents?limit=1", "Authorization", bearer(reader)));
    assertThat(docs.get("total").asLong()).isEqualTo(2);
    assertThat(docs.get("documents")).hasSize(1);
    String next = docs.get("next_after").asText();
    JsonNode rest =
        json(
            server.get(
                "/api/v1/memory/documents?limit=5&after=" + encode(next),
                "Authorization",
                bearer(reader)));
    assertThat(rest.get("documents")).hasSize(1);
    assertThat(rest.get("next_after").isNull()).isTrue();
    String vacuumUrl =
        List.of(docs.get("documents").get(0), rest.get("documents").get(0)).stream()
            .filter(d -> d.get("title").asText().equals("Routine Vacuuming"))
            .findFirst()
            .orElseThrow()
            .get("url")
            .asText();

    long before = server.index.count(DocumentIndex.DOCUMENTS);
    HttpResponse<String> deleted =
        server.send(
            "DELETE",
            "/api/v1/memory/documents?url=" + encode(vacuumUrl),
            "Authorization",
            bearer(developer));
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
    assertThat(server.index.count(DocumentIndex.DOCUMENTS)).isLessThan(before);
    assertThat(
            json(server.get("/api/v1/memory/documents", "Authorization", bearer(reader)))
                .get("total")
                .asLong())
        .isEqualTo(1);
    HttpResponse<String> again =
        server.send(
            "DELETE",
            "/api/v1/memory/documents?url=" + encode(vacuumUrl),
            "Authorization",
            bearer(developer));
    assertThat(again.statusCode()).isEqualTo(404);
  }

  @Test
  void folderThatReadsNothing_jobFailsNamingWhy() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    HttpResponse<String> started = ingest("{\"path\":" + quote(empty.toString()) + "}", admin);
    assertThat(started.statusCode()).isEqualTo(202);
    String id = json(started).get("id").asText();
    server.get("/api/v1/ingest/" + id + "/events", "Authorization", bearer(reader)); // until done
    JsonNode view = json(server.get("/api/v1/ingest/" + id, "Authorization", bearer(reader)));
    assertThat(view.get("status").asText()).isEqualTo("failed");
    assertThat(view.get("error").asText()).contains("nothing was ingested");
    assertThat(view.get("error").asText()).doesNotContain("Exception");
  }

  @Test
  void badRequests_are4xxNamingTheField() {
    assertProblem(ingest("{}", admin), 400, "url");
    assertProblem(
        ingest("{\"url\":\"https://example.org\",\"path\":\"/tmp\"}", admin), 400, "exactly one");
    assertProblem(ingest("{\"url\":\"ftp://example.org\"}", developer), 400, "http");
    assertProblem(ingest("{\"url\":\"https:///nohost\"}", developer), 400, "host");
    assertProblem(
        ingest("{\"url\":\"https://example.org\",\"max_pages\":0}", developer), 400, "max_pages");
    assertProblem(
        ingest("{\"url\":\"https://example.org\",\"max_depth\":-1}", developer), 400, "max_depth");
    assertProblem(ingest("{\"url\":\"https://example.org\",\"depth\":1}", developer), 400, "depth");
    // The folder named is the client's own input, echoed back: not a leak.
    HttpResponse<String> missing =
        ingest("{\"path\":" + quote(dir.resolve("missing").toString()) + "}", admin);
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(json(missing).path("detail").asText()).contains("existing directory");
    assertProblem(ingest("{\"path\":\"a\\u0000b\"}", admin), 400, "path");
    // A server-side folder, or private addresses, only for admins; reading keys may not ingest.
    assertProblem(ingest("{\"path\":" + quote(folder.toString()) + "}", developer), 403, "admin");
    assertProblem(
        ingest("{\"url\":\"http://127.0.0.1:1/\",\"allow_private\":true}", developer),
        403,
        "admin");
    assertThat(ingest("{\"url\":\"https://example.org\"}", reader).statusCode()).isEqualTo(403);
    assertProblem(
        server.get("/api/v1/ingest/ing_nope", "Authorization", bearer(reader)), 404, "ing_nope");
    assertProblem(
        server.get("/api/v1/memory/documents?limit=0", "Authorization", bearer(reader)),
        400,
        "limit");
    assertProblem(
        server.send("DELETE", "/api/v1/memory/documents", "Authorization", bearer(developer)),
        400,
        "url");
  }

  private static void assertProblem(HttpResponse<String> response, int status, String mention) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    assertThat(json(response).path("detail").asText()).contains(mention);
    assertNoInternals(response, dir);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
