package ai.sophia.deploy;

import java.util.Objects;

/**
 * A request to deploy {@code target}. Empty {@code strategy} and {@code version} mean the target's
 * defaults (its configured strategy; its configured image, or no version label). {@code
 * idempotencyKey}, when not empty, makes the request happen at most once: asking again with the
 * same key returns the deployment it started.
 */
public record DeployRequest(
    String target,
    String environment,
    String strategy,
    String version,
    String deploymentType,
    boolean forceRebuild,
    String requestedBy,
    String idempotencyKey) {
  public DeployRequest {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(deploymentType, "deploymentType");
    Objects.requireNonNull(requestedBy, "requestedBy");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }

  /** A standard deployment of {@code target} to production with its defaults. */
  public static DeployRequest of(String target, String requestedBy) {
    return new DeployRequest(target, "production", "", "", "standard", false, requestedBy, "");
  }

  public DeployRequest withEnvironment(String value) {
    return new DeployRequest(
        target,
        value,
        strategy,
        version,
        deploymentType,
        forceRebuild,
        requestedBy,
        idempotencyKey);
  }

  public DeployRequest withStrategy(String value) {
    return new DeployRequest(
        target,
        environment,
        value,
        version,
        deploymentType,
        forceRebuild,
        requestedBy,
        idempotencyKey);
  }

  public DeployRequest withVersion(String value) {
    return new DeployRequest(
        target,
        environment,
        strategy,
        value,
        deploymentType,
        forceRebuild,
        requestedBy,
        idempotencyKey);
  }

  public DeployRequest withIdempotencyKey(String value) {
    return new DeployRequest(
        target, environment, strategy, version, deploymentType, forceRebuild, requestedBy, value);
  }

  public DeployRequest withType(String type, boolean rebuild) {
    return new DeployRequest(
        target, environment, strategy, version, type, rebuild, requestedBy, idempotencyKey);
  }
}
