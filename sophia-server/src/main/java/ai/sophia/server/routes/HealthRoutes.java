package ai.sophia.server.routes;

import ai.sophia.health.HealthChecks;
import ai.sophia.health.HealthReport;
import ai.sophia.health.HealthStatus;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.Drain;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code GET /health}: every registered component probed in parallel under its own timeout. 200
 * while Sophia can serve (up or degraded), 503 when a critical component is down, so a load
 * balancer can route on the status code alone. Needs no API key. A report older than {@link
 * #MAX_AGE} is refreshed in the background, so polling /health hard does not multiply the probes'
 * own work; its components are serialized once per report, only the timestamp per request.
 *
 * <p>For a load balancer or an orchestrator, apart: {@code GET /health/live} answers 200 while the
 * process serves at all (restart it when it does not), {@code GET /health/ready} 200 only when it
 * should get traffic: not while starting or draining for a stop ({@link Drain}), nor while a
 * critical component is down; 503 otherwise, with the reason.
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
  private final ObjectMapper mapper;
  private final Drain drain;
  private volatile Rendered rendered;

  /** A report and its components as JSON. */
  private record Rendered(HealthReport report, byte[] components) {}

  public HealthRoutes(HealthChecks checks, ObjectMapper mapper, Drain drain) {
    this.checks = Objects.requireNonNull(checks, "checks");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.drain = Objects.requireNonNull(drain, "drain");
  }

  public void register(RoutesConfig routes) {
    routes.get("/health", this::health, Access.PUBLIC);
    routes.get(
        "/health/live",
        ctx -> ctx.json(Map.of("status", "up", "timestamp", Instant.now().toString())),
        Access.PUBLIC);
    routes.get("/health/ready", this::ready, Access.PUBLIC);
    routes.get("/api/v1/intelligence/health", this::intelligence, Access.READ);
  }

  private void health(Context ctx) throws JsonProcessingException {
    HealthReport report = checks.run(MAX_AGE);
    Rendered last = rendered;
    if (last == null || last.report() != report) {
      last = new Rendered(report, mapper.writeValueAsBytes(report.components()));
      rendered = last;
    }
    // The same shape as Health, assembled around the rendered components: the state is an enum
    // name and the timestamp ISO-8601, neither needs escaping.
    byte[] head =
        ("{\"status\":\""
                + report.status()
                + "\",\"timestamp\":\""
                + Instant.now()
                + "\",\"components\":")
            .getBytes(StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(head, head.length + last.components().length + 1);
    System.arraycopy(last.components(), 0, body, head.length, last.components().length);
    body[body.length - 1] = '}';
    ctx.status(status(report)).contentType(ContentType.APPLICATION_JSON).result(body);
  }

  private void ready(Context ctx) {
    Drain.Phase phase = drain.phase();
    String reason =
        switch (phase) {
          case starting -> "starting";
          case draining -> "draining for a stop";
          case ready ->
              checks.run(MAX_AGE).status() == HealthStatus.State.down
                  ? "a required component is down (GET /health says which)"
                  : "";
        };
    ctx.status(reason.isEmpty() ? 200 : 503)
        .json(
            reason.isEmpty()
                ? Map.of("status", "ready", "phase", phase.name())
                : Map.of("status", "not_ready", "phase", phase.name(), "reason", reason));
  }

  private void intelligence(Context ctx) {
    answer(
        ctx, checks.run(MAX_AGE).only(name -> name.startsWith("agent.") || MEMORY.contains(name)));
  }

  private static void answer(Context ctx, HealthReport report) {
    ctx.status(status(report))
        .json(new Health(report.status(), Instant.now().toString(), report.components()));
  }

  private static int status(HealthReport report) {
    return report.status() == HealthStatus.State.down ? 503 : 200;
  }

  record Health(
      HealthStatus.State status, String timestamp, List<HealthReport.ComponentHealth> components) {}
}
