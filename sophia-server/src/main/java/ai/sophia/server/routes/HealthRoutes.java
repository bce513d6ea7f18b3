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
import java.util.Set;

/**
 * {@code GET /health}: every registered component probed in parallel under its own timeout. 200
 * while Sophia can serve (up or degraded), 503 when a critical component is down, so a load
 * balancer can route on the status code alone. Needs no API key. A report is reused for up to
 * {@link #MAX_AGE}, so polling /health hard does not multiply the probes' own work.
 *
 * <p>{@code GET /api/v1/intelligence/health} (SPEC §2) is the same report narrowed to the agents
 * ({@code agent.<name>}) and memory ({@code store}, {@code index}, {@code embeddings}), with the
 * same status codes; it needs a key, like the rest of /api/v1.
 */
public final class HealthRoutes {
  static final java.time.Duration MAX_AGE = java.time.Duration.ofSeconds(1);

  /** The components that make up memory; the agents' are named {@code agent.<name>}. */
  static final Set<String> MEMORY = Set.of("store", "index", "embeddings");

  private final HealthChecks checks;

  public HealthRoutes(HealthChecks checks) {
    this.checks = Objects.requireNonNull(checks, "checks");
  }

  public void register(RoutesConfig routes) {
    routes.get("/health", this::health, Access.PUBLIC);
    routes.get("/api/v1/intelligence/health", this::intelligence, Access.READ);
  }

  private void health(Context ctx) {
    answer(ctx, checks.run(MAX_AGE));
  }

  private void intelligence(Context ctx) {
    answer(
        ctx, checks.run(MAX_AGE).only(name -> name.startsWith("agent.") || MEMORY.contains(name)));
  }

  private static void answer(Context ctx, HealthReport report) {
    ctx.status(report.status() == HealthStatus.State.down ? 503 : 200)
        .json(new Health(report.status(), Instant.now().toString(), report.components()));
  }

  record Health(
      HealthStatus.State status, String timestamp, List<HealthReport.ComponentHealth> components) {}
}
