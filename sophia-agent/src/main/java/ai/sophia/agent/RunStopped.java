package ai.sophia.agent;

/** Thrown inside a run's thread to end it early: cancelled, timed out, or failed with a reason. */
final class RunStopped extends RuntimeException {
  private final RunStatus status;

  RunStopped(RunStatus status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  RunStatus status() {
    return status;
  }
}
