package ai.sophia.health;

import java.util.List;

/** All components' results and the overall state derived from them. */
public record HealthReport(HealthStatus.State status, List<ComponentHealth> components) {

  /** One component's result, with the time its probe took. */
  public record ComponentHealth(
      String name,
      HealthStatus.State status,
      String detail,
      long latencyMs,
      boolean critical,
      java.util.Map<String, Object> facts) {}
}
