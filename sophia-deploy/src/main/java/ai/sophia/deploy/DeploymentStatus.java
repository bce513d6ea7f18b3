package ai.sophia.deploy;

/**
 * Where a deployment is: {@code requested → running → healthy | rolled_back | failed}. A healthy
 * deployment later undone by a rollback becomes {@code rolled_back} too.
 */
public enum DeploymentStatus {
  requested,
  running,
  healthy,
  rolled_back,
  failed;

  /** True once nothing more happens to the deployment by itself. */
  public boolean finished() {
    return this == healthy || this == rolled_back || this == failed;
  }
}
