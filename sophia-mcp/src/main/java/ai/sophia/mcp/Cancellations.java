package ai.sophia.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MCP cancellation ({@code notifications/cancelled}), which the Java SDK does not implement: every
 * inbound JSON-RPC message passes {@link #inbound} before the SDK sees it. A {@code tools/call}
 * gets its request's key in {@code _meta} ({@value #META_KEY}) so that its handler can {@link
 * #register} how to stop it; a cancellation is consumed here and runs that action (an agent run is
 * cancelled, a research is interrupted).
 *
 * <p>Keys are scoped by caller and session ({@code scope}): request ids are only unique within one
 * session, and one key must never be able to cancel another's calls. A cancellation may overtake
 * the call it names (they travel as separate HTTP requests); it is then remembered briefly and
 * applied when the call registers.
 */
final class Cancellations {
  static final String META_KEY = "ai.sophia/request";
  private static final String CALL = "tools/call";
  private static final String CANCELLED = "notifications/cancelled";
  private static final int REMEMBER_EARLY = 1000;

  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Runnable> running = new ConcurrentHashMap<>();
  private final Map<String, Boolean> early = new ConcurrentHashMap<>();

  /**
   * The message to hand to the SDK ({@code tools/call} tagged with its key), or empty when it was a
   * cancellation and has been acted on. Anything that is not a JSON object passes untouched.
   */
  Optional<String> inbound(String scope, String message) {
    if (!message.contains(CALL) && !message.contains(CANCELLED)) {
      return Optional.of(message);
    }
    JsonNode node;
    try {
      node = json.readTree(message);
    } catch (JsonProcessingException e) {
      return Optional.of(message); // the SDK answers with a parse error
    }
    if (!(node instanceof ObjectNode object)) {
      return Optional.of(message);
    }
    String method = object.path("method").asText("");
    if (method.equals(CANCELLED) && !object.has("id")) {
      cancel(scope + "/" + object.path("params").path("requestId"));
      return Optional.empty();
    }
    if (method.equals(CALL) && object.hasNonNull("id") && object.path("params").isObject()) {
      ((ObjectNode) object.get("params"))
          .withObjectProperty("_meta")
          .put(META_KEY, scope + "/" + object.get("id"));
      return Optional.of(object.toString());
    }
    return Optional.of(message);
  }

  /**
   * Registers how to stop this call until the returned handle is closed; runs it at once when the
   * call was cancelled before it got here. Calls without a key (a client of an older Sophia) are
   * simply not cancellable.
   */
  Registration register(CallToolRequest call, Runnable stop) {
    Object key = call.meta() == null ? null : call.meta().get(META_KEY);
    if (!(key instanceof String k)) {
      return () -> {};
    }
    running.put(k, stop);
    if (early.remove(k) != null) {
      cancel(k);
    }
    return () -> running.remove(k);
  }

  private void cancel(String key) {
    Runnable stop = running.remove(key);
    if (stop != null) {
      stop.run();
      return;
    }
    if (early.size() >= REMEMBER_EARLY) {
      early.clear(); // cancellations of calls that never came; forget them rather than grow
    }
    early.put(key, Boolean.TRUE);
  }

  /** A registered call; closing it forgets it. */
  @FunctionalInterface
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
