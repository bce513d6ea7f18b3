package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.health.HealthChecks;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property: a {@code tools/call} at {@code /mcp} with a hostile value in any argument of research,
 * memory_search, ask_agent or swarm_trigger (or in place of the arguments) is answered with a
 * result or a JSON-RPC or tool error — never a 5xx, a stack trace or a server path. One server and
 * one MCP session for the class; research is a recording stub and models are offline.
 */
class McpFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCEPT = "application/json, text/event-stream";
  private static final int TRIES = 200;
  private static final Map<String, Map<String, Object>> TOOLS =
      Map.of(
          "research",
          Map.of("query", "how does WAL work", "sources_limit", 3, "search_engine", "local"),
          "memory_search",
          Map.of("query", "write-ahead log", "limit", 3),
          "ask_agent",
          Map.of("agent", "general", "question", "what is WAL", "session_id", "fuzz"),
          "swarm_trigger",
          Map.of("task", "summarize WAL", "objective", "a page", "priority", "low", "wait", false));
  private static final AtomicInteger ids = new AtomicInteger(1);
  private static Path dir;
  private static Path data;
  private static TestServer server;
  private static String key;
  private static String session;

  @BeforeContainer
  static void start() throws IOException {
    dir = Naughty.tempDir("sophia-mcp-fuzz");
    data = Files.createDirectories(dir.resolve("data"));
    server =
        TestServer.create(
            data,
            Naughty.UNLIMITED,
            "",
            new ChatRouteTest.RecordingResearcher(),
            HealthChecks.create());
    key = server.key(Role.user);
    HttpResponse<String> init =
        post(
            "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\","
                + "\"version\":\"1\"}}}");
    session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
  }

  @AfterContainer
  static void stop() {
    server.close();
    Naughty.delete(dir);
  }

  private static HttpResponse<String> post(String body) {
    return session == null
        ? server.post("/mcp", "application/json", body, "X-API-Key", key, "Accept", ACCEPT)
        : server.post(
            "/mcp",
            "application/json",
            body,
            "X-API-Key",
            key,
            "Accept",
            ACCEPT,
            "Mcp-Session-Id",
            session);
  }

  @Provide
  Arbitrary<String> tools() {
    return Arbitraries.of(TOOLS.keySet());
  }

  @Provide
  Arbitrary<String> values() {
    Arbitrary<String> lists = Naughty.strings().list().ofMaxSize(3).map(Naughty::json);
    return Arbitraries.oneOf(Naughty.values(), lists);
  }

  @Property(tries = TRIES)
  void toolsCall_hostileArgument_resultOrError(
      @ForAll("tools") String tool, @ForAll("values") String value) {
    Map<String, Object> base = TOOLS.get(tool);
    String field = Arbitraries.of(base.keySet()).sample();
    String call = call(tool, Naughty.body(base, field, value));

    assertAnswered(post(call), call);
  }

  @Property(tries = TRIES)
  void toolsCall_hostileArguments_resultOrError(
      @ForAll("tools") String tool, @ForAll("values") String arguments) {
    String call = call(tool, arguments);

    assertAnswered(post(call), call);
  }

  @Property(tries = TRIES)
  void toolsCall_hostileToolName_resultOrError(@ForAll("values") String name) {
    String call =
        "{\"jsonrpc\":\"2.0\",\"id\":"
            + ids.incrementAndGet()
            + ",\"method\":\"tools/call\",\"params\":{\"name\":"
            + name
            + ",\"arguments\":{}}}";

    assertAnswered(post(call), call);
  }

  private static String call(String tool, String arguments) {
    return "{\"jsonrpc\":\"2.0\",\"id\":"
        + ids.incrementAndGet()
        + ",\"method\":\"tools/call\",\"params\":{\"name\":"
        + Naughty.json(tool)
        + ",\"arguments\":"
        + arguments
        + "}}";
  }

  /**
   * A JSON-RPC result or error (in JSON or one server-sent event), or the 413 problem of a body
   * over the limit; never a 5xx or internals.
   */
  private static void assertAnswered(HttpResponse<String> r, String sent) {
    assertThat(r.statusCode()).as(r.body()).isLessThan(500);
    if (r.statusCode() == 413) {
      // The gate refuses an oversized body before reading it as JSON-RPC, as on every route.
      Naughty.assertAnswered(r, data, sent);
      return;
    }
    JsonNode message = message(r);
    assertThat(message.path("jsonrpc").asText())
        .as("%d %s %s", r.statusCode(), r.headers().map(), r.body())
        .isEqualTo("2.0");
    assertThat(message.has("result") || message.has("error")).as(r.body()).isTrue();
    if (message.has("error")) {
      assertThat(message.at("/error/message").asText()).as(r.body()).isNotBlank();
    }
    Naughty.assertNoInternals(r.body(), data, sent);
    assertThat(r.body()).doesNotContain("io.modelcontextprotocol");
  }

  private static JsonNode message(HttpResponse<String> r) {
    String body = r.body();
    if (r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
      String data = "";
      for (String line : body.split("\n")) {
        if (line.startsWith("data:")) {
          data = line.substring(5).strip();
        }
      }
      body = data;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + r.body(), e);
    }
  }
}
