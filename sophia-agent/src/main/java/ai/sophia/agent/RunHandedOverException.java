package ai.sophia.agent;

/**
 * The run was not ended here: this process handed it over (it shut down, or another node took it
 * over), and it goes on there; {@code GET /api/v1/runs/{id}} follows it.
 */
public final class RunHandedOverException extends RuntimeException {
  private final transient AgentEvent.RunHandedOver event;

  RunHandedOverException(AgentEvent.RunHandedOver event) {
    super("run " + event.runId() + " was handed over: " + event.reason(), null, false, false);
    this.event = event;
  }

  public String runId() {
    return event.runId();
  }
}
