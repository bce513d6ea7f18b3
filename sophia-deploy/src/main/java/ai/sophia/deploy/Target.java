package ai.sophia.deploy;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Somewhere Sophia deploys to, configured under {@code deploy.targets}. Every target rolls a
 * version out, checks its health, and undoes the change itself when health checks fail.
 */
sealed interface Target permits FlyTarget, LocalProcessTarget, CommandTarget, WebhookTarget {
  String name();

  /** {@code fly}, {@code local}, {@code command} or {@code webhook}. */
  String type();

  /** The strategies it knows, the default first. */
  List<String> strategies();

  /** The version deployed when a request names none (Fly: the configured image). */
  String defaultVersion();

  /** Why it cannot deploy now (a missing token), empty when it can. */
  default Optional<String> unavailable() {
    return Optional.empty();
  }

  /** Values that must never reach a log line (the API token). */
  default Set<String> secrets() {
    return Set.of();
  }

  /**
   * Rolls {@code job} out and reports how it ended; a failed health check ends with the previous
   * version running again ({@code rolled_back}) where there was one.
   */
  Outcome deploy(DeployJob job) throws InterruptedException;
}
