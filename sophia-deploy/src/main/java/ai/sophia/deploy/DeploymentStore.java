package ai.sophia.deploy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where deployments and their events are kept. */
public interface DeploymentStore {
  /**
   * Records a new deployment.
   *
   * @return false when another unfinished deployment of its target, or one with its idempotency
   *     key, exists already (nothing was written)
   */
  boolean insert(Deployment d);

  /** Saves the deployment's status, detail, URL, process and times. */
  void update(Deployment d);

  Optional<Deployment> find(String id);

  Optional<Deployment> findByIdempotencyKey(String key);

  /** The unfinished deployment of {@code target}, if any. */
  Optional<Deployment> active(String target);

  /** The newest healthy deployment of {@code target} created before {@code before}. */
  Optional<Deployment> lastHealthy(String target, Instant before);

  /** Newest first; {@code target} empty for every target. */
  List<Deployment> history(String target, int limit);

  /** Every unfinished deployment (at most {@code limit}). */
  List<Deployment> unfinished(int limit);

  void appendEvent(String deploymentId, DeployEvent event);

  /** Events with a sequence number above {@code after}, in order, at most {@code limit}. */
  List<DeployEvent> events(String deploymentId, long after, int limit);
}
