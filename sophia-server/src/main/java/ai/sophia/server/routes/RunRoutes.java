package ai.sophia.server.routes;

import ai.sophia.agent.AgentResult;
import ai.sophia.agent.AgentRun;
import ai.sophia.agent.AgentRunStore.StoredRun;
import ai.sophia.agent.AgentRuntime;
import ai.sophia.agent.Step;
import ai.sophia.error.ConflictException;
import ai.sophia.error.NotFoundException;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.EventStream;
import ai.sophia.server.http.Guard;
import ai.sophia.server.http.RequestParams;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Agent runs over HTTP: {@code GET /api/v1/runs} (newest first), {@code GET /api/v1/runs/{id}}
 * (status, result and transcript), {@code GET /api/v1/runs/{id}/events} (server-sent events, each
 * with its sequence number as id, so a client that reconnects with {@code Last-Event-ID} gets only
 * what it missed), and {@code POST /api/v1/runs/{id}/cancel}. A key sees its own runs; an admin's
 * sees every run.
 */
public final class RunRoutes {
  private static final Set<String> LIST_PARAMETERS = Set.of("limit");

  private final AgentRuntime agents;
  private final ObjectMapper mapper;

  public RunRoutes(AgentRuntime agents, ObjectMapper mapper) {
    this.agents = Objects.requireNonNull(agents, "agents");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  public void register(RoutesConfig routes) {
    routes.get("/api/v1/runs", this::list, Access.READ);
    routes.get("/api/v1/runs/{id}", this::one, Access.READ);
    routes.get("/api/v1/runs/{id}/events", this::events, Access.READ);
    routes.post("/api/v1/runs/{id}/cancel", this::cancel, Access.USE);
  }

  private void list(Context ctx) {
    RequestParams.allowOnly(ctx, LIST_PARAMETERS);
    int limit = RequestParams.integer(ctx, "limit", 20, 1, 200);
    boolean admin = Guard.isAdmin(ctx);
    String key = Guard.keyId(ctx).orElse("");
    List<Summary> runs =
        agents.recentRuns(admin ? limit : 1000).stream()
            .filter(r -> admin || r.apiKeyId().equals(key))
            .limit(limit)
            .map(
                r ->
                    new Summary(
                        r.id(),
                        r.agent(),
                        r.status().name(),
                        r.mode(),
                        r.sessionId(),
                        r.createdAt().toString(),
                        r.updatedAt().toString()))
            .toList();
    ctx.json(java.util.Map.of("runs", runs));
  }

  private void one(Context ctx) {
    String id = AgentBodies.id("id", ctx.pathParam("id"));
    var live = agents.run(id).filter(run -> visible(ctx, run.request().apiKeyId()));
    if (live.isPresent()) {
      ctx.json(view(live.get()));
      return;
    }
    StoredRun stored =
        agents
            .storedRun(id)
            .filter(run -> visible(ctx, run.apiKeyId()))
            .orElseThrow(() -> notFound(id));
    ctx.json(
        new Stored(
            stored.id(),
            stored.agent(),
            stored.status().name(),
            stored.mode(),
            stored.sessionId(),
            stored.input(),
            stored.output(),
            transcript(stored.transcriptJson()),
            stored.createdAt().toString(),
            stored.updatedAt().toString(),
            stored.traceId()));
  }

  /** Cancels a run wherever it runs: here at once, on another node at its next lease round. */
  private void cancel(Context ctx) {
    String id = AgentBodies.id("id", ctx.pathParam("id"));
    StoredRun stored =
        agents
            .run(id)
            .filter(run -> visible(ctx, run.request().apiKeyId()))
            .map(run -> (StoredRun) null)
            .orElseGet(
                () ->
                    agents
                        .storedRun(id)
                        .filter(run -> visible(ctx, run.apiKeyId()))
                        .orElseThrow(() -> notFound(id)));
    if (!agents.cancel(id, Guard.keyId(ctx).orElse(""))) {
      String status =
          agents
              .run(id)
              .map(run -> run.status().name())
              .orElseGet(() -> stored == null ? "finished" : stored.status().name());
      throw new ConflictException("run " + id + " has already finished: " + status);
    }
    ctx.status(202).json(java.util.Map.of("run_id", id, "status", "cancelling"));
  }

  /**
   * Streams the run's events as server-sent events, numbered from 1 over the whole run, until
   * run_finished, wherever the run executes (this node delivers from memory what it runs, the store
   * has the rest). The run and the header are checked before the stream starts, so a bad request
   * still gets a problem+json answer.
   */
  private void events(Context ctx) {
    String id = AgentBodies.id("id", ctx.pathParam("id"));
    boolean here = agents.run(id).filter(r -> visible(ctx, r.request().apiKeyId())).isPresent();
    if (!here) {
      StoredRun stored =
          agents
              .storedRun(id)
              .filter(r -> visible(ctx, r.apiKeyId()))
              .orElseThrow(() -> notFound(id));
      if (stored.status().finished() && agents.storedEvents(id) == 0) {
        throw new ConflictException(
            "run "
                + id
                + " has no stored events (it finished before they were kept, or longer ago than"
                + " swarm.retention_days); GET /api/v1/runs/"
                + id
                + " has its transcript");
      }
    }
    long after = EventStream.lastEventId(ctx);
    EventStream.stream(
        ctx,
        "run " + id,
        after,
        sink ->
            agents.subscribe(
                id,
                after,
                e ->
                    sink.accept(
                        new EventStream.Frame(e.seq(), e.event().type(), e.event(), e.last())),
                () -> sink.accept(EventStream.END)),
        mapper);
  }

  private static boolean visible(Context ctx, String ownerKeyId) {
    return Guard.isAdmin(ctx) || ownerKeyId.equals(Guard.keyId(ctx).orElse(""));
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException("no agent run with id '" + id + "'");
  }

  private JsonNode transcript(String json) {
    try {
      return mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored transcript is not JSON", e);
    }
  }

  /** A live run: its state now, its result once it has one, and every step so far. */
  static Live view(AgentRun run) {
    return new Live(
        run.id(),
        run.agent(),
        run.status().name(),
        run.mode(),
        run.sessionId(),
        run.request().input(),
        run.result().orElse(null),
        run.transcript(),
        run.traceId());
  }

  record Summary(
      String runId,
      String agent,
      String status,
      String mode,
      String sessionId,
      String createdAt,
      String updatedAt) {}

  record Live(
      String runId,
      String agent,
      String status,
      String mode,
      String sessionId,
      String input,
      AgentResult result,
      List<Step> transcript,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) String traceId) {}

  record Stored(
      String runId,
      String agent,
      String status,
      String mode,
      String sessionId,
      String input,
      String output,
      JsonNode transcript,
      String createdAt,
      String updatedAt,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) String traceId) {}
}
