package ai.sophia.model;

import ai.sophia.health.HealthCheck;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A model gateway for tests of code that uses models (agents, research answers): it answers from a
 * script, one step per call, and records every request it was asked (adk's TestLlm). The real
 * gateway and its providers are tested against loopback servers speaking the providers' wire
 * formats; this stands in only where the model's answers are what a test scripts.
 */
public final class ScriptedModelGateway implements ModelGateway {
  private static final ModelRef MODEL = new ModelRef("scripted", "test-model");

  private final Deque<Function<ModelRequest, ModelReply>> script = new ArrayDeque<>();
  private final List<ModelRequest> requests = new ArrayList<>();
  private final List<CallContext> contexts = new ArrayList<>();
  private boolean available = true;

  public static ScriptedModelGateway create() {
    return new ScriptedModelGateway();
  }

  /** The next call answers with this text. */
  public synchronized ScriptedModelGateway thenText(String text) {
    return then(request -> reply(text, List.of()));
  }

  /** The next call asks for these tool calls. */
  public synchronized ScriptedModelGateway thenToolCalls(ToolCall... calls) {
    return then(request -> reply("", List.of(calls)));
  }

  /** The next call is answered by {@code step}, which may look at the request. */
  public synchronized ScriptedModelGateway then(Function<ModelRequest, ModelReply> step) {
    script.add(step);
    return this;
  }

  /** The next call fails as if every model were down. */
  public synchronized ScriptedModelGateway thenUnavailable() {
    return then(
        request -> {
          throw new ModelUnavailableException("every model failed (scripted)", List.of());
        });
  }

  /** Whether {@link #available} answers true (false: callers must work offline). */
  public synchronized ScriptedModelGateway available(boolean value) {
    this.available = value;
    return this;
  }

  public static ModelReply reply(String text, List<ToolCall> calls) {
    return new ModelReply(
        text,
        calls,
        new TokenUsage(10, 5),
        0.0,
        MODEL,
        calls.isEmpty() ? "stop" : "tool_calls",
        List.of(new Attempt(MODEL, "ok", "", 0)));
  }

  public synchronized List<ModelRequest> requests() {
    return List.copyOf(requests);
  }

  public synchronized List<CallContext> contexts() {
    return List.copyOf(contexts);
  }

  public synchronized int remaining() {
    return script.size();
  }

  @Override
  public ModelPolicy defaultPolicy() {
    return new ModelPolicy(List.of(MODEL));
  }

  @Override
  public synchronized boolean available(ModelPolicy policy) {
    return available;
  }

  @Override
  public ModelReply chat(ModelPolicy policy, ModelRequest request, CallContext context) {
    Function<ModelRequest, ModelReply> step;
    synchronized (this) {
      requests.add(request);
      contexts.add(context);
      step = script.poll();
    }
    if (step == null) {
      throw new AssertionError("the model was called more often than the test scripted");
    }
    return step.apply(request);
  }

  @Override
  public ModelReply stream(
      ModelPolicy policy, ModelRequest request, CallContext context, Consumer<String> onToken) {
    ModelReply reply = chat(policy, request, context);
    for (String word : reply.text().split("(?<= )")) {
      if (!word.isEmpty()) {
        onToken.accept(word);
      }
    }
    return reply;
  }

  @Override
  public List<HealthCheck> healthChecks() {
    return List.of();
  }
}
