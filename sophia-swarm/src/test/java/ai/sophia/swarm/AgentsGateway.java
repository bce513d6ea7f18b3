package ai.sophia.swarm;

import ai.sophia.health.HealthCheck;
import ai.sophia.model.CallContext;
import ai.sophia.model.Message;
import ai.sophia.model.ModelGateway;
import ai.sophia.model.ModelPolicy;
import ai.sophia.model.ModelReply;
import ai.sophia.model.ModelRequest;
import ai.sophia.model.ModelUnavailableException;
import ai.sophia.model.ScriptedModelGateway;
import ai.sophia.model.ToolCall;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The paid model, replaced in-process for swarm tests by one that answers by who asks, so parallel
 * agents get their answers whatever order they call in: the coordinator gets a plan (or fails, to
 * test the fallback), {@code broken} fails every call, {@code flaky} fails its first, {@code slow}
 * takes {@link #slowness}, {@code commit} and {@code deployment} call their tool once and then
 * report, every other agent answers with a citation.
 */
final class AgentsGateway implements ModelGateway {
  volatile boolean available = true;
  volatile String plan = "";
  volatile Duration slowness = Duration.ofSeconds(30);
  final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  @Override
  public ModelPolicy defaultPolicy() {
    return ScriptedModelGateway.create().defaultPolicy();
  }

  @Override
  public boolean available(ModelPolicy policy) {
    return available;
  }

  int calls(String agent) {
    return calls.getOrDefault(agent, new AtomicInteger()).get();
  }

  @Override
  public ModelReply chat(ModelPolicy policy, ModelRequest request, CallContext context) {
    String agent = context.agent();
    int n = calls.computeIfAbsent(agent, a -> new AtomicInteger()).incrementAndGet();
    boolean toolDone = request.messages().stream().anyMatch(m -> m instanceof Message.ToolResult);
    switch (agent) {
      case "coordinator" -> {
        if (plan.isEmpty()) {
          throw new ModelUnavailableException("no plan scripted", List.of());
        }
        return ScriptedModelGateway.reply(plan, List.of());
      }
      case "broken" -> throw new IllegalStateException("the broken agent's provider exploded");
      case "flaky" -> {
        if (n == 1) {
          throw new IllegalStateException("a hiccup on the first call");
        }
      }
      case "slow" -> {
        try {
          Thread.sleep(slowness);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted");
        }
      }
      case "commit", "deployment" -> {
        if (!toolDone) {
          String tool = agent.equals("commit") ? "commit" : "deploy";
          return ScriptedModelGateway.reply(
              "", List.of(new ToolCall("call-" + n, tool, "{\"what\":\"the swarm's report\"}")));
        }
        return ScriptedModelGateway.reply(agent + " done: " + lastToolResult(request), List.of());
      }
      default -> {}
    }
    return ScriptedModelGateway.reply(
        agent + " found that Heliograph relays metrics [1].\n\nSources:\n[1] http://x/", List.of());
  }

  @Override
  public ModelReply stream(
      ModelPolicy policy, ModelRequest request, CallContext context, Consumer<String> onToken) {
    ModelReply reply = chat(policy, request, context);
    onToken.accept(reply.text());
    return reply;
  }

  @Override
  public List<HealthCheck> healthChecks() {
    return List.of();
  }

  private static String lastToolResult(ModelRequest request) {
    return request.messages().stream()
        .filter(m -> m instanceof Message.ToolResult)
        .map(m -> ((Message.ToolResult) m).text())
        .reduce((a, b) -> b)
        .orElse("");
  }
}
