package ai.sophia.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One deployment as a target sees it while running: what to deploy, the healthy deployment before
 * it (if Sophia recorded one), whether it is a rollback, where its log lines go, and its deadline.
 */
record DeployJob(
    Deployment deployment,
    Optional<Deployment> previous,
    boolean rollback,
    Consumer<String> log,
    Instant deadline) {

  void log(String line) {
    log.accept(line);
  }

  /** Time left before the deadline, never negative. */
  Duration remaining() {
    Duration left = Duration.between(Instant.now(), deadline);
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** {@code wanted}, or less when the deadline comes sooner. */
  Duration upTo(Duration wanted) {
    Duration left = remaining();
    return left.compareTo(wanted) < 0 ? left : wanted;
  }

  /** The same job with a fresh budget: undoing a change must not be cut short by the deadline. */
  DeployJob withBudget(Duration budget) {
    return new DeployJob(deployment, previous, rollback, log, Instant.now().plus(budget));
  }
}
