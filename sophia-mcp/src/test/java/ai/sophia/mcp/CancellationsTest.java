package ai.sophia.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CancellationsTest {
  private final Cancellations cancellations = new Cancellations();
  private final ObjectMapper json = new ObjectMapper();

  private CallToolRequest tagged(String scope, String message) throws Exception {
    String out = cancellations.inbound(scope, message).orElseThrow();
    Object key = json.readTree(out).at("/params/_meta").get(Cancellations.META_KEY).asText();
    return CallToolRequest.builder()
        .name("ask_agent")
        .arguments(Map.of())
        .meta(Map.of(Cancellations.META_KEY, key))
        .build();
  }

  private static String call(Object id) {
    return "{\"jsonrpc\":\"2.0\",\"id\":"
        + id
        + ",\"method\":\"tools/call\",\"params\":{\"name\":\"ask_agent\",\"arguments\":{}}}";
  }

  private static String cancel(Object id) {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":"
        + id
        + ",\"reason\":\"user\"}}";
  }

  @Test
  void inbound_cancellationOfRegisteredCall_stopsItAndIsConsumed() throws Exception {
    AtomicInteger stopped = new AtomicInteger();
    try (var registration =
        cancellations.register(tagged("k1/s1", call(7)), stopped::incrementAndGet)) {
      assertThat(cancellations.inbound("k1/s1", cancel(7))).isEmpty();
      assertThat(cancellations.inbound("k1/s1", cancel(7))).isEmpty();
    }
    assertThat(stopped).hasValue(1);
  }

  @Test
  void inbound_cancellationFromAnotherScopeOrId_leavesTheCallRunning() throws Exception {
    AtomicInteger stopped = new AtomicInteger();
    try (var registration =
        cancellations.register(tagged("k1/s1", call(7)), stopped::incrementAndGet)) {
      cancellations.inbound("k2/s1", cancel(7));
      cancellations.inbound("k1/s1", cancel("\"7\""));
      cancellations.inbound("k1/s1", cancel(8));
    }
    assertThat(stopped).hasValue(0);
  }

  @Test
  void register_cancellationArrivedFirst_stopsAtOnce() throws Exception {
    CallToolRequest request = tagged("k1/s1", call("\"abc\""));
    cancellations.inbound("k1/s1", cancel("\"abc\""));
    AtomicInteger stopped = new AtomicInteger();
    try (var registration = cancellations.register(request, stopped::incrementAndGet)) {
      assertThat(stopped).hasValue(1);
    }
  }

  @Test
  void inbound_otherMessages_passUntouched() {
    String list = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
    assertThat(cancellations.inbound("s", list)).contains(list);
    assertThat(cancellations.inbound("s", "not json tools/call")).contains("not json tools/call");
    String batch = "[" + call(1) + "]";
    assertThat(cancellations.inbound("s", batch)).contains(batch);
  }
}
