package ai.sophia.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A deployment as recorded: what was deployed where, by whom, how it went. {@code version} is the
 * image (Fly) or the label a local or command target was given ({@code {version}} in its command);
 * {@code previousVersion} what ran before. {@code pid}, {@code pidStartedAt} and {@code port} are
 * set for a local process Sophia started, 0 otherwise. {@code finishedAt} is {@link Instant#EPOCH}
 * until it finishes.
 */
public record Deployment(
    String id,
    String target,
    String targetType,
    String environment,
    String strategy,
    String version,
    String previousVersion,
    String requestedBy,
    DeploymentStatus status,
    String detail,
    String url,
    String idempotencyKey,
    String rollbackOf,
    String owner,
    long pid,
    long pidStartedAt,
    int port,
    Instant createdAt,
    Instant updatedAt,
    Instant finishedAt) {
  public Deployment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
  }

  /** How long it took, or has taken so far when unfinished. */
  public Duration duration(Instant now) {
    return Duration.between(createdAt, status.finished() ? finishedAt : now);
  }

  Deployment with(DeploymentStatus newStatus, String newDetail, Instant at) {
    return new Deployment(
        id,
        target,
        targetType,
        environment,
        strategy,
        version,
        previousVersion,
        requestedBy,
        newStatus,
        newDetail,
        url,
        idempotencyKey,
        rollbackOf,
        owner,
        pid,
        pidStartedAt,
        port,
        createdAt,
        at,
        newStatus.finished() ? at : Instant.EPOCH);
  }

  Deployment withOutcome(Outcome o) {
    return new Deployment(
        id,
        target,
        targetType,
        environment,
        strategy,
        version,
        o.previousVersion().isEmpty() ? previousVersion : o.previousVersion(),
        requestedBy,
        status,
        detail,
        o.url().isEmpty() ? url : o.url(),
        idempotencyKey,
        rollbackOf,
        owner,
        o.pid(),
        o.pidStartedAt(),
        o.port(),
        createdAt,
        updatedAt,
        finishedAt);
  }

  Deployment withFinishedAt(Instant at) {
    return new Deployment(
        id,
        target,
        targetType,
        environment,
        strategy,
        version,
        previousVersion,
        requestedBy,
        status,
        detail,
        url,
        idempotencyKey,
        rollbackOf,
        owner,
        pid,
        pidStartedAt,
        port,
        createdAt,
        updatedAt,
        at);
  }
}
