package ai.sophia.server.routes;

import ai.sophia.health.HealthChecks;
import ai.sophia.health.HealthReport;
import ai.sophia.health.HealthStatus;
import ai.sophia.server.http.Access;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * {@code GET /health}: every registered component probed in parallel under its own timeout. 200
 * while Sophia can serve (up or degraded), 503 when a critical component is down, so a load
 * balancer can route on the status code alone. Needs no API key.
 */
public final class HealthRoutes {
  private final HealthChecks checks;

  public HealthRoutes(HealthChecks checks) {
    this.checks = Objects.requireNonNull(checks, "checks");
  }

  public void register(RoutesConfig routes) {
    routes.get("/health", this::health, Access.PUBLIC);
  }

  private void health(Context ctx) {
    HealthReport report = checks.run();
    ctx.status(report.status() == HealthStatus.State.down ? 503 : 200)
        .json(new Health(report.status(), Instant.now().toString(), report.components()));
  }

  record Health(
      HealthStatus.State status, String timestamp, List<HealthReport.ComponentHealth> components) {}
}
