package ai.sophia.model;

import ai.sophia.web.LoopbackServer;
import ai.sophia.web.LoopbackServer.Recorded;
import ai.sophia.web.LoopbackServer.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * A model provider on a {@link LoopbackServer} for tests: answers each request to its chat path
 * with the next scripted step (a reply, tool calls, an HTTP error with headers, a slow answer), in
 * the provider's real wire format, streamed as server-sent events when the request asks for it; and
 * records what it was sent. With the script used up it answers 500. Subclasses speak one wire
 * format: {@link ScriptedOpenAiServer}, {@link ScriptedAnthropicServer}.
 */
public abstract sealed class ScriptedProviderServer implements AutoCloseable
    permits ScriptedOpenAiServer, ScriptedAnthropicServer {
  static final ObjectMapper JSON = new ObjectMapper();

  /** One scripted answer; {@code status} other than 200 sends {@code errorBody} with headers. */
  protected record Step(
      int status,
      Map<String, String> headers,
      String text,
      List<ToolCall> toolCalls,
      long inputTokens,
      long outputTokens,
      Duration delay,
      boolean breaks,
      boolean ignoresStream) {
    Step(
        int status,
        Map<String, String> headers,
        String text,
        List<ToolCall> toolCalls,
        long inputTokens,
        long outputTokens,
        Duration delay,
        boolean breaks) {
      this(status, headers, text, toolCalls, inputTokens, outputTokens, delay, breaks, false);
    }

    Step(
        int status,
        Map<String, String> headers,
        String text,
        List<ToolCall> toolCalls,
        long inputTokens,
        long outputTokens,
        Duration delay) {
      this(status, headers, text, toolCalls, inputTokens, outputTokens, delay, false);
    }
  }

  protected final LoopbackServer server = LoopbackServer.start();
  private final Deque<Step> script = new ArrayDeque<>();
  private final String chatPath;

  protected ScriptedProviderServer(String chatPath) {
    this.chatPath = chatPath;
    server.route(chatPath, this::answer);
  }

  /** The next request is answered with {@code text}, reporting these token counts. */
  public synchronized ScriptedProviderServer reply(
      String text, long inputTokens, long outputTokens) {
    script.add(new Step(200, Map.of(), text, List.of(), inputTokens, outputTokens, Duration.ZERO));
    return this;
  }

  /** The next request is answered with {@code text} (10 input tokens, 5 output). */
  public ScriptedProviderServer reply(String text) {
    return reply(text, 10, 5);
  }

  /** The next request is answered with these tool calls. */
  public synchronized ScriptedProviderServer toolCalls(ToolCall... calls) {
    script.add(new Step(200, Map.of(), "", List.of(calls), 20, 8, Duration.ZERO));
    return this;
  }

  /** The next request gets HTTP {@code status} with these headers and the provider's error body. */
  public ScriptedProviderServer error(int status, Map<String, String> headers) {
    return error(status, headers, "scripted");
  }

  /** Like {@link #error(int, Map)} with {@code message} in the error body. */
  public synchronized ScriptedProviderServer error(
      int status, Map<String, String> headers, String message) {
    script.add(new Step(status, headers, message, List.of(), 0, 0, Duration.ZERO));
    return this;
  }

  public ScriptedProviderServer error(int status) {
    return error(status, Map.of());
  }

  /** The next request gets 429 with {@code Retry-After: seconds}. */
  public ScriptedProviderServer rateLimited(int retryAfterSeconds) {
    return error(429, Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
  }

  /** The next request is answered with {@code text} after {@code delay}. */
  public synchronized ScriptedProviderServer slow(Duration delay, String text) {
    script.add(new Step(200, Map.of(), text, List.of(), 10, 5, delay));
    return this;
  }

  /**
   * The next request, streamed, sends {@code text} and then the provider's mid-stream error (where
   * its wire format has one), so the answer breaks off after its first tokens.
   */
  public synchronized ScriptedProviderServer streamBreaksAfter(String text) {
    script.add(new Step(200, Map.of(), text, List.of(), 10, 5, Duration.ZERO, true));
    return this;
  }

  /**
   * The next request is answered with {@code text} as one plain JSON body even when it asks for a
   * stream, as some OpenAI-compatible servers do that ignore {@code stream: true}.
   */
  public synchronized ScriptedProviderServer ignoresStream(String text) {
    script.add(new Step(200, Map.of(), text, List.of(), 10, 5, Duration.ZERO, false, true));
    return this;
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  public String url(String path) {
    return server.url(path);
  }

  /** Every request to the chat path, in order. */
  public List<Recorded> requests() {
    return server.requests(chatPath);
  }

  /** The JSON bodies of {@link #requests()}. */
  public List<JsonNode> bodies() {
    List<JsonNode> bodies = new ArrayList<>();
    for (Recorded r : requests()) {
      bodies.add(parse(r.body()));
    }
    return bodies;
  }

  private Reply answer(Recorded request) throws InterruptedException {
    Step step;
    synchronized (this) {
      step = script.poll();
    }
    if (step == null) {
      return Reply.of(500, "application/json", errorBody(500, "no scripted answer left"));
    }
    if (!step.delay().isZero()) {
      Thread.sleep(step.delay());
    }
    if (step.status() != 200) {
      Reply base =
          Reply.of(step.status(), "application/json", errorBody(step.status(), step.text()));
      Map<String, String> headers = new java.util.HashMap<>(base.headers());
      headers.putAll(step.headers());
      return new Reply(step.status(), headers, base.body());
    }
    JsonNode body = parse(request.body());
    String model = body.path("model").asText("model");
    if (body.path("stream").asBoolean(false) && !step.ignoresStream()) {
      return Reply.of(200, "text/event-stream", events(step, model)).chunked();
    }
    return Reply.json(message(step, model));
  }

  /** The provider's error body for {@code status}. */
  protected abstract String errorBody(int status, String message);

  /** The provider's complete answer. */
  protected abstract String message(Step step, String model);

  /** The provider's streamed answer, every event. */
  protected abstract String events(Step step, String model);

  /** {@code text} in streaming pieces: one per word, with its following space. */
  static List<String> pieces(String text) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ' ') {
        pieces.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      pieces.add(text.substring(start));
    }
    return pieces;
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode parse(String body) {
    try {
      return JSON.readTree(body.isEmpty() ? "{}" : body);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
