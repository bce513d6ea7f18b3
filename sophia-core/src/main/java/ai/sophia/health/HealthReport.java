package ai.sophia.health;

import java.util.List;
import java.util.function.Predicate;

/** All components' results and the overall state derived from them. */
public record HealthReport(HealthStatus.State status, List<ComponentHealth> components) {
  public HealthReport {
    java.util.Objects.requireNonNull(status, "status");
    components = List.copyOf(components);
  }

  /**
   * The overall state of {@code components}: down if a critical one is down, degraded if any is not
   * up, else up.
   */
  public static HealthStatus.State overall(List<ComponentHealth> components) {
    HealthStatus.State overall = HealthStatus.State.up;
    for (ComponentHealth c : components) {
      if (c.status() == HealthStatus.State.down && c.critical()) {
        return HealthStatus.State.down;
      }
      if (c.status() != HealthStatus.State.up) {
        overall = HealthStatus.State.degraded;
      }
    }
    return overall;
  }

  /** This report narrowed to the components whose name {@code keep} accepts, state recomputed. */
  public HealthReport only(Predicate<String> keep) {
    List<ComponentHealth> kept = components.stream().filter(c -> keep.test(c.name())).toList();
    return new HealthReport(overall(kept), kept);
  }

  /** One component's result, with the time its probe took. */
  public record ComponentHealth(
      String name,
      HealthStatus.State status,
      String detail,
      long latencyMs,
      boolean critical,
      java.util.Map<String, Object> facts) {}
}
