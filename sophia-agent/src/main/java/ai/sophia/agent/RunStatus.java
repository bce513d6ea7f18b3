package ai.sophia.agent;

/** Where a run is: running, waiting for a person's approval, or finished one of four ways. */
public enum RunStatus {
  running,
  waiting_approval,
  succeeded,
  failed,
  cancelled,
  timed_out;

  public boolean finished() {
    return this != running && this != waiting_approval;
  }
}
