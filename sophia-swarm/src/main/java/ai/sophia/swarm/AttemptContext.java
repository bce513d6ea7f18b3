package ai.sophia.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** The {@link StepContext} of one attempt of one step. */
final class AttemptContext implements StepContext {
  private final RunExecution run;
  private final String stepKey;
  private final JsonNode state;
  private final JsonNode item;
  private final int attempt;
  private volatile boolean timedOut;

  AttemptContext(RunExecution run, String stepKey, JsonNode state, JsonNode item, int attempt) {
    this.run = run;
    this.stepKey = stepKey;
    this.state = state;
    this.item = item;
    this.attempt = attempt;
  }

  @Override
  public String runId() {
    return run.runId();
  }

  @Override
  public String stepKey() {
    return stepKey;
  }

  @Override
  public String idempotencyKey() {
    return run.runId() + "/" + stepKey;
  }

  @Override
  public JsonNode state() {
    return state;
  }

  @Override
  public JsonNode item() {
    return item;
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public String requestedBy() {
    return run.requestedBy();
  }

  @Override
  public void log(String message) {
    run.log().event("log", stepKey, Json.object().put("message", String.valueOf(message)));
  }

  @Override
  public void usage(long inputTokens, long outputTokens, double costUsd) {
    run.log()
        .event(
            "usage",
            stepKey,
            Json.object()
                .put("input_tokens", inputTokens)
                .put("output_tokens", outputTokens)
                .put("cost_usd", costUsd));
  }

  @Override
  public void event(String type, JsonNode data) {
    if (type == null || type.isBlank() || type.equals(SwarmEvent.RUN_FINISHED)) {
      throw new IllegalArgumentException("a step's event needs a type other than run_finished");
    }
    ObjectNode payload = data != null && data.isObject() ? (ObjectNode) data : Json.object();
    if (data != null && !data.isObject() && !data.isNull()) {
      payload.set("value", data);
    }
    run.log().event(type, stepKey, payload);
  }

  @Override
  public boolean cancelled() {
    return timedOut || run.stopping() || Thread.currentThread().isInterrupted();
  }

  @Override
  public Instant deadline() {
    return run.deadline();
  }

  void timedOut() {
    timedOut = true;
  }
}
