package ai.sophia.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real tool for tests of the gates around tools: it does nothing but count how often it ran and
 * answer with its arguments, under the name and risk a test gives it (e.g. a {@code commit} of risk
 * write).
 */
public final class CountingTool implements Tool {
  private final AtomicInteger invocations = new AtomicInteger();
  private final java.util.List<String> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final String name;
  private final Risk risk;

  public CountingTool(String name, Risk risk) {
    this.name = name;
    this.risk = risk;
  }

  /** How often the tool ran. */
  public int invocations() {
    return invocations.get();
  }

  /** The idempotency key of each call, in order. */
  public java.util.List<String> idempotencyKeys() {
    return java.util.List.copyOf(keys);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return "counts its invocations";
  }

  @Override
  public JsonNode parameters() {
    return new ObjectMapper().createObjectNode().put("type", "object");
  }

  @Override
  public Risk risk() {
    return risk;
  }

  @Override
  public ToolOutput invoke(JsonNode arguments, ToolContext context) {
    invocations.incrementAndGet();
    keys.add(context.idempotencyKey());
    return new ToolOutput.Success("done: " + arguments);
  }
}
