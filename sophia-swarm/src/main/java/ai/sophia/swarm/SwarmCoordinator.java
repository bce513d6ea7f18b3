package ai.sophia.swarm;

import ai.sophia.agent.AgentRuntime;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.InvalidInputException;
import ai.sophia.model.ModelGateway;
import ai.sophia.tool.Risk;
import ai.sophia.tracing.Traces;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The swarm coordinator (SPEC §3): task_analysis → agent_assignment → parallel_execution →
 * result_aggregation → quality_check, as three graphs on the durable {@link SwarmEngine}:
 *
 * <ul>
 *   <li>{@code swarm.research}: the sub-tasks fan out to their agents at once (broadcast), their
 *       answers are gathered;
 *   <li>{@code swarm.development}: the same research/analysis fan-out, then validation, then commit
 *       and deployment, each only when the request authorized it or, with {@code ask_approval}, a
 *       person approved the step ({@code approve_commit}, {@code approve_deployment}); skipped with
 *       the reason otherwise;
 *   <li>{@code swarm.monitoring}: {@code monitor_round} loops, one agent per round in turn, the
 *       interval between rounds, for the number of rounds asked (a bounded loop).
 * </ul>
 *
 * Everything the report shows lives in the run's state, written by the steps as they finish, so a
 * run resumed after a crash reports what happened before it too.
 */
public final class SwarmCoordinator {
  /** Where a run's input and state keep the trace of the request that started it. */
  static final String TRACE_ID = "trace_id";

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String PARALLEL = "parallel_execution";
  private static final long SETTLE_POLL = Duration.ofSeconds(1).toNanos();

  private final SwarmEngine engine;
  private final AgentRuntime agents;
  private final SophiaConfig.Swarm settings;

  private SwarmCoordinator(
      SwarmEngine engine, AgentRuntime agents, ModelGateway gateway, SophiaConfig.Swarm settings) {
    this.engine = engine;
    this.agents = agents;
    this.settings = settings;
    CoordinatorSteps steps =
        new CoordinatorSteps(
            agents, new TaskAnalysis(gateway, agents.agents()), settings.qualityThreshold());
    for (SwarmPattern pattern : SwarmPattern.values()) {
      engine.register(graph(pattern, steps));
    }
  }

  /** A coordinator whose graphs are registered on {@code engine}; call before resuming runs. */
  public static SwarmCoordinator create(
      SwarmEngine engine, AgentRuntime agents, ModelGateway gateway, SophiaConfig.Swarm settings) {
    return new SwarmCoordinator(
        Objects.requireNonNull(engine, "engine"),
        Objects.requireNonNull(agents, "agents"),
        Objects.requireNonNull(gateway, "gateway"),
        Objects.requireNonNull(settings, "settings"));
  }

  /** The engine the runs live on: find, list, await, cancel, decide, subscribe. */
  public SwarmEngine engine() {
    return engine;
  }

  /**
   * Starts a swarm for {@code request}; returns at once with the run (stored before any step).
   *
   * @throws InvalidInputException naming {@code agents} when it names an unknown agent, or {@code
   *     repository} when a development swarm may commit but names no repository
   */
  public SwarmRun trigger(SwarmRequest request, String requestedBy) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(requestedBy, "requestedBy");
    for (String name : request.agents()) {
      if (agents.agents().find(name).isEmpty()) {
        throw new InvalidInputException(
            "agents",
            "no agent named '"
                + name
                + "'; agents: "
                + agents.agents().list().stream().map(a -> a.name()).toList());
      }
    }
    SwarmPattern pattern = request.effectivePattern();
    boolean mayCommit = request.authorize().contains(Risk.write) || request.askApproval();
    if (pattern == SwarmPattern.development && mayCommit && request.repository().isEmpty()) {
      throw new InvalidInputException(
          "repository", "a development swarm that may commit needs the repository to commit to");
    }
    ObjectNode input = JSON.createObjectNode();
    input.set("request", request.toJson());
    input.putArray(CoordinatorSteps.LOG);
    // Kept with the run, so that its report names the trace of the request that started it.
    String trace = Traces.traceId();
    if (!trace.isEmpty()) {
      input.put(TRACE_ID, trace);
    }
    return engine.start(pattern.graph(), input, requestedBy);
  }

  /** The SPEC response for a run as it is now. */
  public ObjectNode report(SwarmRun run) {
    return SwarmReport.of(run, settings.qualityThreshold());
  }

  /**
   * The run once it finished or waits for a person, or as it is when {@code max} has passed: what a
   * caller who asked to wait gets (REST {@code wait: true}, MCP {@code swarm_trigger}).
   */
  public SwarmRun awaitSettled(String runId, Duration max) {
    long until = System.nanoTime() + max.toNanos();
    while (true) {
      long left = until - System.nanoTime();
      SwarmRun run =
          engine.await(runId, Duration.ofNanos(Math.max(0, Math.min(left, SETTLE_POLL))));
      if (run.status().finished() || run.status() == SwarmStatus.waiting_approval || left <= 0) {
        return run;
      }
    }
  }

  /** Waits up to {@code max} for the run to finish, then reports it. */
  public ObjectNode awaitReport(String runId, Duration max) {
    return report(engine.await(runId, max));
  }

  private SwarmGraph graph(SwarmPattern pattern, CoordinatorSteps steps) {
    SwarmGraph.Builder g =
        SwarmGraph.builder(pattern.graph())
            .reducer(CoordinatorSteps.LOG, SwarmCoordinator::append)
            .step("task_analysis", steps::taskAnalysis)
            .step("agent_assignment", steps::assignment)
            .edge("task_analysis", "agent_assignment");
    StepPolicy defaults =
        new StepPolicy(
            Duration.ofMillis(settings.stepTimeoutMs()),
            settings.stepAttempts(),
            Duration.ofMillis(500),
            false,
            false);
    switch (pattern) {
      case research -> {
        g.fanOut(PARALLEL, SwarmCoordinator::assignments, steps::branch, defaults);
        g.edge("agent_assignment", PARALLEL).edge(PARALLEL, "result_aggregation");
      }
      case development -> {
        // Commit and deploy have side effects: one attempt, the same idempotency key if re-run.
        StepPolicy once = defaults.withAttempts(1).withSideEffects();
        g.fanOut(PARALLEL, SwarmCoordinator::assignments, steps::branch, defaults)
            .step("validation", steps::validation)
            .step("commit", c -> steps.stage(c, "commit", false), once)
            .step("approve_commit", c -> steps.stage(c, "commit", true), once.withApproval())
            .step("deployment", c -> steps.stage(c, "deployment", false), once)
            .step(
                "approve_deployment", c -> steps.stage(c, "deployment", true), once.withApproval())
            .edge("agent_assignment", PARALLEL)
            .edge(PARALLEL, "validation")
            .route("validation", s -> gate(s, "commit", Risk.write))
            .route("commit", s -> gate(s, "deployment", Risk.deploy))
            .route("approve_commit", s -> gate(s, "deployment", Risk.deploy))
            .edge("deployment", "result_aggregation")
            .edge("approve_deployment", "result_aggregation");
      }
      case monitoring -> {
        g.step("monitor_round", steps::round, defaults.withAttempts(1))
            .edge("agent_assignment", "monitor_round")
            .reducer("rounds", SwarmCoordinator::append)
            .route(
                "monitor_round",
                s ->
                    s.path("rounds").size() < CoordinatorSteps.request(s).rounds()
                        ? "monitor_round"
                        : "result_aggregation")
            .maxVisits("monitor_round", SwarmRequest.MAX_ROUNDS);
      }
    }
    return g.step("result_aggregation", steps::aggregation)
        .step("quality_check", steps::quality)
        .edge("result_aggregation", "quality_check")
        .edge("quality_check", SwarmGraph.END)
        .start("task_analysis")
        .build();
  }

  /**
   * Which step runs a pipeline stage: the approval-gated one when the request did not authorize its
   * risk but asked for approval and there is something to do, else the plain one (which runs, or
   * records why it was skipped).
   */
  private static String gate(JsonNode state, String stage, Risk risk) {
    SwarmRequest request = CoordinatorSteps.request(state);
    boolean ready =
        stage.equals("commit")
            ? state.path("validation").path("passed").asBoolean(false)
            : AgentResults.succeeded(state.path("commit"));
    if (ready && !request.authorize().contains(risk) && request.askApproval()) {
      return "approve_" + stage;
    }
    return stage;
  }

  private static List<JsonNode> assignments(JsonNode state) {
    List<JsonNode> items = new ArrayList<>();
    state.path("assignments").forEach(items::add);
    return items;
  }

  /** Appends an array update to the array in the state. */
  static JsonNode append(JsonNode current, JsonNode update) {
    ArrayNode out = JSON.createArrayNode();
    if (current != null && current.isArray()) {
      out.addAll((ArrayNode) current);
    }
    if (update != null && update.isArray()) {
      out.addAll((ArrayNode) update);
    } else if (update != null && !update.isNull() && !update.isMissingNode()) {
      out.add(update);
    }
    return out;
  }
}
