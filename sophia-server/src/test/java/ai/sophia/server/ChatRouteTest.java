package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.error.BudgetExceededException;
import ai.sophia.error.UnavailableException;
import ai.sophia.health.HealthChecks;
import ai.sophia.research.ResearchProgress;
import ai.sophia.research.ResearchRequest;
import ai.sophia.research.ResearchResult;
import ai.sophia.research.Researcher;
import ai.sophia.security.IssuedKey;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat route's own behaviour — defaults, the wire shape, in-flight counting, error mapping —
 * with a researcher that records what it was asked. End-to-end research is tested with the real
 * research service.
 */
class ChatRouteTest {
  @TempDir Path dir;

  /** Answers every request with one canned source, optionally waiting for a release first. */
  static final class RecordingResearcher implements Researcher {
    final List<ResearchRequest> asked = new CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    volatile CountDownLatch release = new CountDownLatch(0);
    volatile Throwable failure;

    @Override
    public ResearchResult research(ResearchRequest request, ResearchProgress progress) {
      asked.add(request);
      progress.update("searching", 0, 0);
      entered.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      switch (failure) {
        case null -> {}
        case RuntimeException e -> throw e;
        case Error e -> throw e;
        default -> throw new IllegalStateException(failure);
      }
      return result("r-1", request.query());
    }

    @Override
    public Optional<ResearchResult> find(String id) {
      return id.equals("r-1") ? Optional.of(result(id, "stored question")) : Optional.empty();
    }

    @Override
    public List<MemoryHit> searchMemory(String query, int limit) {
      return List.of(new MemoryHit("https://example.org/a", "A", "passage", "documents", 0.9));
    }

    final List<String> historyAsked = new CopyOnWriteArrayList<>();

    @Override
    public List<Summary> history(String containing, int limit) {
      historyAsked.add(containing + "|" + limit);
      return List.of(
          new Summary(
              "r-1",
              "stored question",
              java.time.Instant.parse("2026-01-02T03:04:05Z"),
              0.7,
              "medium",
              "extractive",
              "local",
              3));
    }

    static ResearchResult result(String id, String query) {
      var source =
          new ResearchResult.Source(
              1, "https://example.org/a", "A", "summary", 0.8, "duckduckgo", "");
      var metadata =
          new ResearchResult.Metadata(
              1,
              "duckduckgo",
              "duckduckgo",
              List.of(),
              "extractive",
              Map.of("total", 5L),
              Map.of(),
              "medium",
              List.of(),
              "",
              null,
              null);
      return new ResearchResult(
          id,
          query,
          List.of(source),
          "Answer [1].",
          List.of(new ResearchResult.Citation(1, "https://example.org/a", "A")),
          metadata,
          0.7,
          Instant.now().toString(),
          "");
    }
  }

  @Test
  void chat_validQuery_defaultsAppliedAndSnakeCaseResult() {
    RecordingResearcher researcher = new RecordingResearcher();
    try (TestServer server = TestServer.start(dir, Map.of(), researcher, HealthChecks.create())) {
      IssuedKey key = server.keys.create("asker", Role.user);
      HttpResponse<String> response =
          server.post(
              "/api/v1/chat",
              "application/json; charset=utf-8",
              "{\"query\":\"  what is rust  \"}",
              "X-API-Key",
              key.secret());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(researcher.asked)
          .containsExactly(
              new ResearchRequest("what is rust", 3, "duckduckgo", key.key().id(), ""));
      JsonNode body = TestServer.json(response);
      assertThat(body.get("research_quality_score").asDouble()).isEqualTo(0.7);
      assertThat(body.get("sources").get(0).get("relevance_score").asDouble()).isEqualTo(0.8);
      assertThat(body.get("metadata").get("sources_found").asInt()).isEqualTo(1);
      assertThat(body.get("metadata").get("search_engine").asText()).isEqualTo("duckduckgo");
    }
  }

  @Test
  void chat_researchRunning_countedAsActiveAgentUntilDone() throws Exception {
    RecordingResearcher researcher = new RecordingResearcher();
    researcher.release = new CountDownLatch(1);
    try (TestServer server = TestServer.start(dir, Map.of(), researcher, HealthChecks.create())) {
      String key = server.key(Role.user);
      CompletableFuture<HttpResponse<String>> running =
          CompletableFuture.supplyAsync(
              () ->
                  server.post(
                      "/api/v1/chat",
                      "application/json",
                      "{\"query\":\"q\",\"sources_limit\":5,\"search_engine\":\"LOCAL\"}",
                      "X-API-Key",
                      key));
      assertThat(researcher.entered.await(10, TimeUnit.SECONDS)).isTrue();

      JsonNode during = TestServer.json(server.get("/api/v1/system/stats", "X-API-Key", key));
      researcher.release.countDown();
      HttpResponse<String> done = running.get(10, TimeUnit.SECONDS);
      JsonNode after = TestServer.json(server.get("/api/v1/system/stats", "X-API-Key", key));

      assertThat(during.get("active_agents").asInt()).isEqualTo(1);
      assertThat(done.statusCode()).isEqualTo(200);
      assertThat(after.get("active_agents").asInt()).isZero();
      assertThat(researcher.asked)
          .singleElement()
          .satisfies(
              r ->
                  assertThat(r.withRequestedBy(""))
                      .isEqualTo(new ResearchRequest("q", 5, "local")));
    }
  }

  @Test
  void chat_modelBudgetSpent_402WithReason() {
    HttpResponse<String> response =
        chatFailingWith(new BudgetExceededException("the daily model budget of this key is spent"));

    assertThat(response.statusCode()).isEqualTo(402);
    assertThat(TestServer.json(response).get("detail").asText()).contains("budget");
  }

  /** One chat request to a server whose researcher throws {@code failure}. */
  private HttpResponse<String> chatFailingWith(Throwable failure) {
    RecordingResearcher researcher = new RecordingResearcher();
    researcher.failure = failure;
    try (TestServer server = TestServer.start(dir, Map.of(), researcher, HealthChecks.create())) {
      return server.post(
          "/api/v1/chat",
          "application/json",
          "{\"query\":\"q\"}",
          "X-API-Key",
          server.key(Role.user),
          "X-Request-Id",
          "failing-1");
    }
  }

  @Test
  void chat_researcherUnavailable_503ProblemWithItsMessage() {
    HttpResponse<String> response =
        chatFailingWith(new UnavailableException("every search provider failed"));

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(TestServer.json(response).get("detail").asText())
        .isEqualTo("every search provider failed");
  }

  @Test
  void chat_researcherBug_500WithRequestIdAndNoInternals() {
    HttpResponse<String> response =
        chatFailingWith(new IllegalStateException("secret internal state /var/lib/x"));

    assertThat(response.statusCode()).isEqualTo(500);
    JsonNode problem = TestServer.json(response);
    assertThat(problem.get("detail").asText()).contains("failing-1").doesNotContain("/var/lib");
    assertThat(response.body()).doesNotContain("IllegalStateException");
  }

  @Test
  void chat_researcherThrowsAnError_500ProblemWithRequestId() {
    HttpResponse<String> response = chatFailingWith(new StackOverflowError());

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(TestServer.json(response).get("request_id").asText()).isEqualTo("failing-1");
  }

  @Test
  void research_storedAndMissingIds_200Then404() {
    RecordingResearcher researcher = new RecordingResearcher();
    try (TestServer server = TestServer.start(dir, Map.of(), researcher, HealthChecks.create())) {
      String key = server.key(Role.readonly);

      HttpResponse<String> found = server.get("/api/v1/research/r-1", "X-API-Key", key);
      HttpResponse<String> missing = server.get("/api/v1/research/r-2", "X-API-Key", key);

      assertThat(found.statusCode()).isEqualTo(200);
      assertThat(TestServer.json(found).get("query").asText()).isEqualTo("stored question");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(TestServer.json(missing).get("detail").asText()).contains("r-2");
    }
  }

  @Test
  void chat_acceptingEventStream_stagesThenResult_orAnErrorProblem() {
    RecordingResearcher researcher = new RecordingResearcher();
    try (TestServer server = TestServer.start(dir, Map.of(), researcher, HealthChecks.create())) {
      String key = server.key(Role.user);
      String body = "{\"query\":\"what is rust\",\"search_engine\":\"duckduckgo\"}";

      HttpResponse<String> ok =
          server.post(
              "/api/v1/chat",
              "application/json",
              body,
              "X-API-Key",
              key,
              "Accept",
              "text/event-stream");
      researcher.failure =
          new ai.sophia.search.SearchException("duckduckgo", "answered 503", false, null);
      HttpResponse<String> failed =
          server.post(
              "/api/v1/chat",
              "application/json",
              body,
              "X-API-Key",
              key,
              "Accept",
              "text/event-stream");
      HttpResponse<String> invalid =
          server.post(
              "/api/v1/chat",
              "application/json",
              "{}",
              "X-API-Key",
              key,
              "Accept",
              "text/event-stream");

      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("Content-Type").orElse(""))
          .startsWith("text/event-stream");
      assertThat(ok.body())
          .containsSubsequence(
              "id: 1\nevent: stage\ndata: ",
              "\"stage\":\"searching\"",
              "id: 2\nevent: result\n",
              "\"id\":\"r-1\"");
      assertThat(failed.body())
          .contains("event: error")
          .contains("\"status\":502")
          .contains("duckduckgo: answered 503")
          .doesNotContain("Exception");
      // Validation still answers before any stream starts.
      assertThat(invalid.statusCode()).isEqualTo(400);
    }
  }

  @Test
  void researchHistory_filterAndLimitPassedOn_badParameters400() {
    RecordingResearcher researcher = new RecordingResearcher();
    try (TestServer server = TestServer.start(dir, Map.of(), researcher, HealthChecks.create())) {
      String key = server.key(Role.readonly);

      HttpResponse<String> all = server.get("/api/v1/research", "X-API-Key", key);
      HttpResponse<String> some =
          server.get("/api/v1/research?q=%20vacuum%20&limit=5", "X-API-Key", key);

      assertThat(all.statusCode()).isEqualTo(200);
      JsonNode first = TestServer.json(all).get("research").get(0);
      assertThat(first.get("id").asText()).isEqualTo("r-1");
      assertThat(first.get("created_at").asText()).isEqualTo("2026-01-02T03:04:05Z");
      assertThat(first.get("quality_score").asDouble()).isEqualTo(0.7);
      assertThat(first.get("confidence").asText()).isEqualTo("medium");
      assertThat(some.statusCode()).isEqualTo(200);
      assertThat(researcher.historyAsked).containsExactly("|20", "vacuum|5");
      assertThat(server.get("/api/v1/research?limit=0", "X-API-Key", key).statusCode())
          .isEqualTo(400);
      assertThat(server.get("/api/v1/research?sort=new", "X-API-Key", key).statusCode())
          .isEqualTo(400);
    }
  }

  @Test
  void memorySearch_valid_queryAndResults() {
    try (TestServer server =
        TestServer.start(dir, Map.of(), new RecordingResearcher(), HealthChecks.create())) {
      HttpResponse<String> response =
          server.get(
              "/api/v1/memory/search?q=%20rust%20&limit=5", "X-API-Key", server.key(Role.readonly));

      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode body = TestServer.json(response);
      assertThat(body.get("query").asText()).isEqualTo("rust");
      assertThat(body.get("results").get(0).get("relevance_score").asDouble()).isEqualTo(0.9);
    }
  }
}
