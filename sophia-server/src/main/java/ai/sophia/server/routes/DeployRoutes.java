package ai.sophia.server.routes;

import ai.sophia.deploy.DeployEvent;
import ai.sophia.deploy.DeployRequest;
import ai.sophia.deploy.Deployment;
import ai.sophia.deploy.Deployments;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.EventStream;
import ai.sophia.server.http.Guard;
import ai.sophia.server.http.RequestBodies;
import ai.sophia.server.http.RequestParams;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Deployments over HTTP (SPEC §2): {@code POST /api/v1/deploy/trigger} (202 with the id), {@code
 * GET /api/v1/deploy} (history), {@code GET /api/v1/deploy/targets}, {@code GET
 * /api/v1/deploy/{id}} (status and timeline), {@code GET /api/v1/deploy/{id}/logs} (server-sent
 * events: every log line and status change, live while it runs, then the end), and {@code POST
 * /api/v1/deploy/{id}/rollback}. Reading needs any key; deploying and rolling back need a developer
 * or admin key, as committing does. A second deployment of a busy target is refused with 409.
 */
public final class DeployRoutes {
  static final Pattern ID = Pattern.compile("deploy-[0-9a-f]{8}");
  static final int MAX_TEXT = 300;
  static final int MAX_EVENTS = 100_000;
  private static final Set<String> LIST_PARAMETERS = Set.of("limit", "target");

  private final Deployments deployments;
  private final RequestBodies bodies;
  private final ObjectMapper mapper;

  public DeployRoutes(Deployments deployments, RequestBodies bodies, ObjectMapper mapper) {
    this.deployments = Objects.requireNonNull(deployments, "deployments");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/deploy/trigger", this::trigger, Access.DECIDE);
    routes.get("/api/v1/deploy", this::history, Access.READ);
    routes.get("/api/v1/deploy/targets", this::targets, Access.READ);
    routes.get("/api/v1/deploy/{id}", this::one, Access.READ);
    routes.get("/api/v1/deploy/{id}/logs", this::logs, Access.READ);
    routes.post("/api/v1/deploy/{id}/rollback", this::rollback, Access.DECIDE);
  }

  /** SPEC's fields plus the target, the version (image), the strategy and an idempotency key. */
  record Trigger(
      String target,
      String deploymentType,
      String environment,
      Boolean forceRebuild,
      String strategy,
      String version,
      String idempotencyKey) {}

  record Rollback(String idempotencyKey) {}

  private void trigger(Context ctx) {
    Trigger body = bodies.read(ctx, Trigger.class);
    DeployRequest request =
        DeployRequest.of(deployments.resolveTarget(text(body.target(), "target")), requestedBy(ctx))
            .withEnvironment(
                body.environment() == null ? "production" : text(body.environment(), "environment"))
            .withStrategy(text(body.strategy(), "strategy"))
            .withVersion(text(body.version(), "version"))
            .withType(
                body.deploymentType() == null
                    ? "standard"
                    : text(body.deploymentType(), "deployment_type"),
                Boolean.TRUE.equals(body.forceRebuild()))
            .withIdempotencyKey(key(ctx, body.idempotencyKey()));
    accepted(ctx, deployments.trigger(request));
  }

  private void rollback(Context ctx) {
    String id = id(ctx);
    Rollback body = ctx.body().isBlank() ? new Rollback(null) : bodies.read(ctx, Rollback.class);
    accepted(ctx, deployments.rollback(id, requestedBy(ctx), key(ctx, body.idempotencyKey())));
  }

  private void accepted(Context ctx, Deployment d) {
    List<String> logs =
        deployments.events(d.id(), 0, 200).stream()
            .filter(e -> e.kind().equals(DeployEvent.LOG))
            .map(DeployEvent::text)
            .toList();
    ctx.status(202)
        .header("Location", "/api/v1/deploy/" + d.id())
        .json(
            new Accepted(
                d.id(),
                d.url(),
                logs,
                d.status().name(),
                Instant.now().toString(),
                d.target(),
                "/api/v1/deploy/" + d.id(),
                "/api/v1/deploy/" + d.id() + "/logs"));
  }

  private void history(Context ctx) {
    RequestParams.allowOnly(ctx, LIST_PARAMETERS);
    int limit = RequestParams.integer(ctx, "limit", 20, 1, 200);
    String target = ctx.queryParam("target") == null ? "" : RequestParams.text(ctx, "target", 40);
    List<View> list =
        deployments.history(target, limit).stream().map(d -> view(d, List.of())).toList();
    ctx.json(Map.of("deployments", list));
  }

  private void targets(Context ctx) {
    ctx.json(Map.of("targets", deployments.targets()));
  }

  private void one(Context ctx) {
    String id = id(ctx);
    Deployment d = deployments.find(id).orElseThrow(() -> notFound(id));
    List<Change> timeline =
        deployments.events(id, 0, 100_000).stream()
            .filter(e -> e.kind().equals(DeployEvent.STATUS))
            .map(e -> new Change(e.text(), e.at().toString(), e.detail()))
            .toList();
    ctx.json(view(d, timeline));
  }

  /**
   * Streams the deployment's events, numbered from 1, until the one that finishes it; a finished
   * deployment's stream replays its record and ends.
   */
  private void logs(Context ctx) {
    String id = id(ctx);
    deployments.find(id).orElseThrow(() -> notFound(id));
    long after = EventStream.lastEventId(ctx);
    EventStream.stream(
        ctx,
        "deployment " + id,
        after,
        sink -> {
          if (deployments.runningHere(id)) {
            return deployments.subscribe(
                id, e -> sink.accept(new EventStream.Frame(e.seq(), e.kind(), e, e.last())));
          }
          // Finished: its record ends at its last event (a later rollback adds one after healthy).
          List<DeployEvent> all = deployments.events(id, 0, MAX_EVENTS);
          for (int i = 0; i < all.size(); i++) {
            DeployEvent e = all.get(i);
            sink.accept(new EventStream.Frame(e.seq(), e.kind(), e, i == all.size() - 1));
          }
          return () -> {};
        },
        mapper);
  }

  private static String key(Context ctx, String fromBody) {
    String header = ctx.header("Idempotency-Key");
    String key = fromBody != null ? fromBody : header == null ? "" : header.strip();
    if (key.length() > 200) {
      throw new InvalidInputException(
          "idempotency_key", "idempotency_key is at most 200 characters");
    }
    return key;
  }

  private static String id(Context ctx) {
    String id = ctx.pathParam("id");
    if (!ID.matcher(id).matches()) {
      throw notFound(id);
    }
    return id;
  }

  private static String requestedBy(Context ctx) {
    return "API key " + Guard.keyId(ctx).orElse("?");
  }

  private static String text(String value, String field) {
    if (value != null && value.length() > MAX_TEXT) {
      throw new InvalidInputException(field, field + " is at most " + MAX_TEXT + " characters");
    }
    return value == null ? "" : value.strip();
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException("no deployment with id '" + id + "'");
  }

  private static View view(Deployment d, List<Change> timeline) {
    Instant now = Instant.now();
    return new View(
        d.id(),
        d.target(),
        d.targetType(),
        d.environment(),
        d.strategy(),
        d.version(),
        d.previousVersion(),
        d.requestedBy(),
        d.status().name(),
        d.detail(),
        d.url(),
        d.rollbackOf(),
        d.createdAt().toString(),
        d.updatedAt().toString(),
        d.status().finished() ? d.finishedAt().toString() : null,
        d.duration(now).toMillis(),
        timeline,
        "/api/v1/deploy/" + d.id() + "/logs");
  }

  /** SPEC's trigger response, plus where to follow the deployment. */
  record Accepted(
      String deploymentId,
      String deploymentUrl,
      List<String> logs,
      String status,
      String timestamp,
      String target,
      String statusUrl,
      String logsUrl) {}

  record Change(String status, String at, String detail) {}

  record View(
      String deploymentId,
      String target,
      String targetType,
      String environment,
      String strategy,
      String version,
      String previousVersion,
      String requestedBy,
      String status,
      String detail,
      String deploymentUrl,
      String rollbackOf,
      String createdAt,
      String updatedAt,
      String finishedAt,
      long durationMs,
      List<Change> timeline,
      String logsUrl) {}
}
