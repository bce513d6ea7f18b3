package ai.sophia.swarm;

/** Where a swarm run is. The last four are final. */
public enum SwarmStatus {
  pending,
  running,
  waiting_approval,
  succeeded,
  failed,
  cancelled,
  timed_out;

  public boolean finished() {
    return this == succeeded || this == failed || this == cancelled || this == timed_out;
  }
}
