package ai.sophia.server.routes;

import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.model.RoutingModelGateway;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.EventStream;
import ai.sophia.server.http.Guard;
import ai.sophia.server.http.RequestBodies;
import ai.sophia.server.http.RequestParams;
import ai.sophia.swarm.SwarmCoordinator;
import ai.sophia.swarm.SwarmEngine;
import ai.sophia.swarm.SwarmEvent;
import ai.sophia.swarm.SwarmRequest;
import ai.sophia.swarm.SwarmRun;
import ai.sophia.swarm.SwarmStatus;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Swarms over HTTP (SPEC §2): {@code POST /api/v1/swarm/trigger} starts one (202 with its task_id
 * and where to follow it; {@code wait: true} answers with the SPEC response once it finished or
 * waits for a person), {@code GET /api/v1/swarm} lists them (newest first, {@code status} filters),
 * {@code GET /api/v1/swarm/{id}} reports one, {@code GET /api/v1/swarm/{id}/events} streams its
 * events (server-sent, resumable with Last-Event-ID), {@code POST /api/v1/swarm/{id}/cancel}
 * cancels it, and {@code POST /api/v1/swarm/{id}/steps/{step}/approve} or {@code /deny} decides a
 * step that waits for a person. A key sees its own swarms; an admin's sees every swarm.
 */
public final class SwarmRoutes {
  private static final Set<String> LIST_PARAMETERS = Set.of("status", "limit");
  private static final Pattern STEP = Pattern.compile("[A-Za-z0-9_\\[\\]#.-]{1,120}");

  private final SwarmCoordinator swarms;
  private final SwarmEngine engine;
  private final RoutingModelGateway models;
  private final RequestBodies bodies;
  private final ObjectMapper mapper;
  private final Duration longestWait;

  public SwarmRoutes(
      SwarmCoordinator swarms,
      RoutingModelGateway models,
      RequestBodies bodies,
      ObjectMapper mapper,
      Duration longestWait) {
    this.swarms = Objects.requireNonNull(swarms, "swarms");
    this.engine = swarms.engine();
    this.models = Objects.requireNonNull(models, "models");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.longestWait = Objects.requireNonNull(longestWait, "longestWait");
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/swarm/trigger", this::trigger, Access.USE);
    routes.get("/api/v1/swarm", this::list, Access.READ);
    routes.get("/api/v1/swarm/{id}", this::one, Access.READ);
    routes.get("/api/v1/swarm/{id}/events", this::events, Access.READ);
    routes.post("/api/v1/swarm/{id}/cancel", this::cancel, Access.USE);
    routes.post("/api/v1/swarm/{id}/steps/{step}/approve", ctx -> decide(ctx, true), Access.DECIDE);
    routes.post("/api/v1/swarm/{id}/steps/{step}/deny", ctx -> decide(ctx, false), Access.DECIDE);
  }

  private void trigger(Context ctx) {
    SwarmRequest.Draft body = bodies.read(ctx, SwarmRequest.Draft.class);
    String key = Guard.keyId(ctx).orElse("");
    var request = body.toRequest("");
    models.requireBudgetLeft(key);
    SwarmRun run = swarms.trigger(request, key);
    if (body.waits()) {
      ctx.json(swarms.report(swarms.awaitSettled(run.id(), longestWait)));
      return;
    }
    String self = "/api/v1/swarm/" + run.id();
    ObjectNode out = swarms.report(run);
    out.putObject("links")
        .put("self", self)
        .put("events", self + "/events")
        .put("cancel", self + "/cancel");
    ctx.status(202).header("Location", self).json(out);
  }

  private void list(Context ctx) {
    RequestParams.allowOnly(ctx, LIST_PARAMETERS);
    int limit = RequestParams.integer(ctx, "limit", 20, 1, 200);
    Optional<SwarmStatus> status = status(ctx.queryParam("status"));
    boolean admin = Guard.isAdmin(ctx);
    String key = Guard.keyId(ctx).orElse("");
    List<Map<String, Object>> runs =
        engine.list(status, admin ? limit : 1000).stream()
            .filter(r -> admin || r.requestedBy().equals(key))
            .limit(limit)
            .map(SwarmRoutes::summary)
            .toList();
    ctx.json(Map.of("swarms", runs));
  }

  private void one(Context ctx) {
    ctx.json(swarms.report(visibleRun(ctx)));
  }

  private void events(Context ctx) {
    SwarmRun run = visibleRun(ctx);
    long after = EventStream.lastEventId(ctx);
    EventStream.stream(
        ctx,
        "swarm " + run.id(),
        after,
        sink ->
            engine.subscribe(
                run.id(),
                after,
                (SwarmEvent e) ->
                    sink.accept(
                        new EventStream.Frame(
                            e.seq(),
                            e.type(),
                            Map.of(
                                "seq", e.seq(),
                                "type", e.type(),
                                "step", e.step(),
                                "data", e.data(),
                                "at", e.at().toString()),
                            e.last()))),
        mapper);
  }

  private void cancel(Context ctx) {
    SwarmRun run = visibleRun(ctx);
    SwarmRun cancelled = engine.cancel(run.id(), Guard.keyId(ctx).orElse(""));
    ctx.status(202).json(Map.of("task_id", cancelled.id(), "status", cancelled.status().name()));
  }

  /** Like the agents' approvals, any developer or admin key decides, whoever started the run. */
  private void decide(Context ctx, boolean granted) {
    String id = AgentBodies.id("id", ctx.pathParam("id"));
    SwarmRun run =
        engine.find(id).orElseThrow(() -> new NotFoundException("no swarm with id '" + id + "'"));
    String step = ctx.pathParam("step");
    if (!STEP.matcher(step).matches()) {
      throw new InvalidInputException("step", "step is a step key such as approve_commit");
    }
    SwarmBodies.Decision body =
        ctx.contentType() == null && ctx.req().getContentLengthLong() <= 0
            ? new SwarmBodies.Decision(null)
            : bodies.read(ctx, SwarmBodies.Decision.class);
    SwarmRun decided =
        engine.decide(run.id(), step, granted, Guard.keyId(ctx).orElse(""), body.validReason());
    ctx.json(swarms.report(decided));
  }

  private SwarmRun visibleRun(Context ctx) {
    String id = AgentBodies.id("id", ctx.pathParam("id"));
    return engine
        .find(id)
        .filter(r -> Guard.isAdmin(ctx) || r.requestedBy().equals(Guard.keyId(ctx).orElse("")))
        .orElseThrow(() -> new NotFoundException("no swarm with id '" + id + "'"));
  }

  private static Optional<SwarmStatus> status(String value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(SwarmStatus.valueOf(value.strip()));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "status", "status is one of " + List.of(SwarmStatus.values()) + "; got '" + value + "'");
    }
  }

  private static Map<String, Object> summary(SwarmRun r) {
    var request = r.input().path("request");
    java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("task_id", r.id());
    m.put("status", r.status().name());
    m.put("pattern", request.path("pattern").asText());
    m.put("task", request.path("task").asText());
    m.put("created_at", r.createdAt().toString());
    m.put("finished_at", r.finishedAt().map(Instant::toString).orElse(null));
    m.put("error", r.error());
    return m;
  }
}
