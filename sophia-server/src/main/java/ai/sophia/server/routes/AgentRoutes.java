package ai.sophia.server.routes;

import ai.sophia.agent.Agent;
import ai.sophia.agent.AgentRequest;
import ai.sophia.agent.AgentResult;
import ai.sophia.agent.AgentRun;
import ai.sophia.agent.AgentRuntime;
import ai.sophia.agent.Approval;
import ai.sophia.agent.RunStatus;
import ai.sophia.health.HealthChecks;
import ai.sophia.health.HealthReport;
import ai.sophia.model.RoutingModelGateway;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.Guard;
import ai.sophia.server.http.RequestBodies;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Agents over HTTP: {@code GET /api/v1/agents} lists every agent with its capabilities, metadata
 * and health; {@code POST /api/v1/agents/{name}/run} starts a run (202 with its id and where to
 * follow it, or 200 with the result when {@code wait} is true); {@code POST
 * /api/v1/intelligence/query} routes a query to an agent ({@code general}, which routes it further,
 * unless {@code agent_type} names one) and answers when the run ends or stops to wait for a
 * person's approval (SPEC §2). A key that has spent its daily model budget gets 402 before a run
 * starts.
 *
 * <p>The list is a cheap read that clients poll: each agent's health comes from the health report
 * that {@code /health} keeps fresh in the background (at most {@link HealthRoutes#MAX_AGE} old),
 * and the list is serialized once per report, not per request.
 */
public final class AgentRoutes {
  private final AgentRuntime agents;
  private final RoutingModelGateway models;
  private final RequestBodies bodies;
  private final HealthChecks health;
  private final ObjectMapper mapper;
  private volatile Listing listing;

  /** The agent list as JSON, rendered with the health of {@code report}. */
  private record Listing(HealthReport report, byte[] body) {}

  public AgentRoutes(
      AgentRuntime agents,
      RoutingModelGateway models,
      RequestBodies bodies,
      HealthChecks health,
      ObjectMapper mapper) {
    this.agents = Objects.requireNonNull(agents, "agents");
    this.models = Objects.requireNonNull(models, "models");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
    this.health = Objects.requireNonNull(health, "health");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  public void register(RoutesConfig routes) {
    routes.get("/api/v1/agents", this::list, Access.READ);
    routes.get("/api/v1/agents/{name}", this::one, Access.READ);
    routes.post("/api/v1/agents/{name}/run", this::run, Access.USE);
    routes.post("/api/v1/intelligence/query", this::query, Access.USE);
  }

  private void list(Context ctx) throws JsonProcessingException {
    HealthReport report = health.run(HealthRoutes.MAX_AGE);
    Listing last = listing;
    if (last == null || last.report() != report) {
      Map<String, HealthReport.ComponentHealth> byName = new java.util.HashMap<>();
      report.components().forEach(c -> byName.put(c.name(), c));
      List<Map<String, Object>> described =
          agents.agents().list().stream()
              .map(a -> describe(a, byName.get(a.healthCheck().name())))
              .toList();
      last = new Listing(report, mapper.writeValueAsBytes(Map.of("agents", described)));
      listing = last;
    }
    ctx.contentType(ContentType.APPLICATION_JSON).result(last.body());
  }

  /** The agent's metadata with its health as {@code report} has it (probed now if it has none). */
  private static Map<String, Object> describe(Agent agent, HealthReport.ComponentHealth reported) {
    if (reported == null) {
      return agent.describe();
    }
    Map<String, Object> m = agent.metadata();
    m.put("health", Map.of("status", reported.status().name(), "detail", reported.detail()));
    return m;
  }

  private void one(Context ctx) {
    ctx.json(agent(ctx.pathParam("name"), "name").describe());
  }

  private void run(Context ctx) {
    Agent agent = agent(ctx.pathParam("name"), "name");
    AgentBodies.Run body = bodies.read(ctx, AgentBodies.Run.class);
    AgentRequest request = body.validate(Guard.keyId(ctx).orElse(""));
    models.requireBudgetLeft(request.apiKeyId());
    AgentRun run = agent.start(request);
    if (body.waits()) {
      run.join();
      ctx.json(RunRoutes.view(run));
      return;
    }
    String self = "/api/v1/runs/" + run.id();
    ctx.status(202).header("Location", self);
    ctx.json(
        new Started(
            run.id(),
            run.agent(),
            run.status().name(),
            run.mode(),
            Map.of("self", self, "events", self + "/events", "cancel", self + "/cancel"),
            run.traceId()));
  }

  private void query(Context ctx) {
    AgentBodies.Query body = bodies.read(ctx, AgentBodies.Query.class);
    AgentRequest request = body.validate(Guard.keyId(ctx).orElse(""));
    Agent agent = agent(body.agent(), "agent_type");
    models.requireBudgetLeft(request.apiKeyId());
    AgentRun run = agent.start(request);
    // Answer when the run ends, or as soon as it waits for a person: the caller decides then.
    AgentResult result;
    try {
      result = run.awaitResultOrApproval(event -> {}).orElse(null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the agent ran", e);
    }
    ctx.json(answer(run, result, agents.approvals().forRun(run.id())));
  }

  private Agent agent(String name, String field) {
    return agents.agents().get(AgentBodies.id(field, name));
  }

  /**
   * The SPEC's {@code {status, data, metadata}} for a run that ended with {@code result}, or waits
   * for approval ({@code result} null). {@code status} is the original design's: {@code success} or
   * {@code error}. A run that waits for a person's approval has not failed, and a client of the
   * original design knows only these two values, so it is {@code success} with an empty answer, the
   * waiting approvals and {@code data.run_status} {@code waiting_approval}: a client that knows
   * Sophia reads {@code run_status} (a {@link ai.sophia.agent.RunStatus}), one that does not sees a
   * success whose note says what it waits for. Failed, cancelled and timed-out runs are {@code
   * error}.
   */
  static Answer answer(AgentRun run, AgentResult result, List<Approval> approvals) {
    List<Approval> pending =
        approvals.stream().filter(a -> Approval.PENDING.equals(a.status())).toList();
    RunStatus runStatus = result == null ? run.status() : result.status();
    Data data =
        new Data(
            result == null ? "" : result.answer(),
            run.id(),
            runStatus.name(),
            run.sessionId(),
            result == null
                ? "waiting for a person to approve " + pending.size() + " tool call(s)"
                : result.note(),
            pending);
    Metadata metadata =
        new Metadata(
            run.agent(),
            run.mode(),
            Instant.now().toString(),
            result == null ? 0 : result.modelCalls(),
            result == null ? 0 : result.inputTokens(),
            result == null ? 0 : result.outputTokens(),
            result == null ? 0 : result.costUsd(),
            run.traceId());
    boolean fine = runStatus == RunStatus.succeeded || runStatus == RunStatus.waiting_approval;
    return new Answer(fine ? SUCCESS : ERROR, data, metadata);
  }

  record Started(
      String runId,
      String agent,
      String status,
      String mode,
      Map<String, String> links,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) String traceId) {}

  static final String SUCCESS = "success";
  static final String ERROR = "error";

  record Answer(String status, Data data, Metadata metadata) {}

  record Data(
      String answer,
      String runId,
      String runStatus,
      String sessionId,
      String note,
      List<Approval> pendingApprovals) {}

  record Metadata(
      String agent,
      String mode,
      String timestamp,
      int modelCalls,
      long inputTokens,
      long outputTokens,
      double costUsd,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) String traceId) {}
}
