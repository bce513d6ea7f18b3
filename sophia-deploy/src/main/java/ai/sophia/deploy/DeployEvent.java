package ai.sophia.deploy;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of a deployment's record, numbered from 1: a log line ({@code kind = log}) or a status
 * change ({@code kind = status}, {@code text} the new status, {@code detail} why). The status
 * changes are the deployment's timeline; {@code last} marks the change that finished it.
 */
public record DeployEvent(long seq, Instant at, String kind, String text, String detail) {
  public static final String LOG = "log";
  public static final String STATUS = "status";

  public DeployEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(detail, "detail");
  }

  /** True for the status change that finished the deployment. */
  public boolean last() {
    return STATUS.equals(kind) && DeploymentStatus.valueOf(text).finished();
  }
}
