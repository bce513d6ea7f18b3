package ai.sophia.health;

import java.util.Map;
import java.util.Objects;

/** What one probe found: up, degraded or down, with a short detail and measured facts. */
public record HealthStatus(State state, String detail, Map<String, Object> facts) {
  public enum State {
    up,
    degraded,
    down
  }

  public HealthStatus {
    Objects.requireNonNull(state, "state");
    detail = detail == null ? "" : detail;
    facts = facts == null ? Map.of() : Map.copyOf(facts);
  }

  public static HealthStatus up(String detail) {
    return new HealthStatus(State.up, detail, Map.of());
  }

  public static HealthStatus up(String detail, Map<String, Object> facts) {
    return new HealthStatus(State.up, detail, facts);
  }

  public static HealthStatus degraded(String detail) {
    return new HealthStatus(State.degraded, detail, Map.of());
  }

  public static HealthStatus down(String detail) {
    return new HealthStatus(State.down, detail, Map.of());
  }
}
