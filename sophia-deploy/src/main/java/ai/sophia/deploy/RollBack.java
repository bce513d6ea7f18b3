package ai.sophia.deploy;

import java.util.Optional;

/**
 * How targets that can only be told "run version X" (the command and webhook targets) roll back:
 * try the version, and when that fails, run the way back with the previous healthy version. A
 * rollback on request is one run of the way back.
 */
final class RollBack {
  /**
   * One run of the deploy or the way back with a version: empty when it went well, else why not.
   */
  @FunctionalInterface
  interface Step {
    Optional<String> run(boolean back, String version) throws InterruptedException;
  }

  private RollBack() {}

  /**
   * Runs {@code step} for the job; {@code canGoBack} is false when the target has no way back
   * configured. {@code forward} and {@code back} name the two in the record ("deploy command",
   * "rollback hook"…).
   */
  static Outcome run(
      DeployJob job, boolean canGoBack, String forward, String back, Step step, String url)
      throws InterruptedException {
    boolean useBack = job.rollback() && canGoBack;
    Optional<String> problem = step.run(useBack, job.deployment().version());
    if (problem.isEmpty()) {
      return Outcome.healthy((useBack ? back : forward) + " succeeded", url);
    }
    if (job.rollback() || !canGoBack || job.previous().isEmpty()) {
      return Outcome.failed(
          problem.get()
              + (!canGoBack || job.rollback()
                  ? ""
                  : "; no earlier healthy deployment to roll back to"));
    }
    String version = job.previous().get().version();
    job.log("rolling back to " + label(version) + ": running the " + back);
    Optional<String> again = step.run(true, version);
    return again.isEmpty()
        ? Outcome.rolledBack(problem.get() + "; the " + back + " restored " + label(version))
        : Outcome.failed(problem.get() + "; the rollback failed too: " + again.get());
  }

  static String label(String version) {
    return version.isEmpty() ? "the previous version" : version;
  }
}
