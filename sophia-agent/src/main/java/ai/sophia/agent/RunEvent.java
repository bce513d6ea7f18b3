package ai.sophia.agent;

import java.util.Objects;

/**
 * An event of a run with its seq: 1, 2, … over the whole run, on whichever node ran each part, the
 * same on every node (the SSE id). A {@code run_handed_over} carries the seq of the event before
 * it: it is this node's, not the run's, and is not stored.
 */
public record RunEvent(long seq, AgentEvent event) {
  public RunEvent {
    Objects.requireNonNull(event, "event");
  }

  /** True when nothing follows on this stream: the run finished, or went on elsewhere. */
  public boolean last() {
    return event instanceof AgentEvent.RunFinished || event instanceof AgentEvent.RunHandedOver;
  }
}
