package ai.sophia.mcp;

import ai.sophia.error.NotFoundException;
import ai.sophia.security.Role;
import ai.sophia.swarm.SwarmCoordinator;
import ai.sophia.swarm.SwarmEvent;
import ai.sophia.swarm.SwarmRequest;
import ai.sophia.swarm.SwarmRun;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceTemplateSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceRequest;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceResult;
import io.modelcontextprotocol.spec.McpSchema.ResourceTemplate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Swarms over MCP: {@code swarm_trigger} (the body of {@code POST /api/v1/swarm/trigger}; waits,
 * with a progress notification per step, until the swarm finished or waits for a person, unless
 * {@code wait} is false; cancelling the call cancels the swarm), {@code swarm_status} (the SPEC
 * report of {@code GET /api/v1/swarm/{id}}), and each swarm as the resource {@code
 * sophia://swarms/{id}}. A key sees its own swarms, an admin every swarm.
 */
final class SwarmTools {
  static final String URI = "sophia://swarms/";
  private static final Set<String> TRIGGER_FIELDS =
      Set.of(
          "task",
          "agents",
          "objective",
          "priority",
          "pattern",
          "authorize",
          "ask_approval",
          "repository",
          "rounds",
          "interval_ms",
          "wait");
  private static final String REPORT =
      "{'type':'object','properties':{'task_id':{'type':'string'},'status':{'type':'string'},"
          + "'agent_ids':{'type':'array'},'coordination_logs':{'type':'array'},"
          + "'execution_timeline':{'type':'array'},'swarm_health':{'type':'object'},"
          + "'results':{'type':'object'},'swarm_performance':{'type':'object'},"
          + "'timestamp':{'type':'string'}},'required':['task_id','status']}";

  private final SwarmCoordinator swarms;
  private final Cancellations cancellations;
  private final Duration longestWait;

  SwarmTools(SwarmCoordinator swarms, Cancellations cancellations, Duration longestWait) {
    this.swarms = swarms;
    this.cancellations = cancellations;
    this.longestWait = longestWait;
  }

  List<SyncToolSpecification> specifications() {
    return List.of(
        SophiaTools.tool(
            "swarm_trigger",
            Role.user,
            "Start a swarm of agents on a task (patterns: research, development, monitoring;"
                + " chosen from the task when absent) and, unless wait is false, wait until it"
                + " finished or waits for a person's approval. The result is the swarm report:"
                + " agents, coordination log, timeline, per-agent results, quality report."
                + " Commit and deployment steps run only if 'authorize' lists write/deploy."
                + " Needs role user.",
            "{'type':'object','properties':{"
                + "'task':{'type':'string','minLength':1,'maxLength':4000},"
                + "'agents':{'type':'array','items':{'type':'string'},'maxItems':10},"
                + "'objective':{'type':'string','maxLength':4000},"
                + "'priority':{'type':'string','enum':['low','normal','high','critical']},"
                + "'pattern':{'type':'string','enum':['research','development','monitoring']},"
                + "'authorize':{'type':'array','items':{'type':'string','enum':['write','deploy']}},"
                + "'ask_approval':{'type':'boolean'},'repository':{'type':'string'},"
                + "'rounds':{'type':'integer','minimum':1,'maximum':100},"
                + "'interval_ms':{'type':'integer','minimum':0},"
                + "'wait':{'type':'boolean','default':true}},"
                + "'required':['task'],'additionalProperties':false}",
            REPORT,
            this::trigger),
        SophiaTools.tool(
            "swarm_status",
            Role.readonly,
            "The report of a swarm by its task_id: status, agents, timeline, results and quality"
                + " report (as GET /api/v1/swarm/{id}). Needs role readonly.",
            "{'type':'object','properties':{'task_id':{'type':'string','minLength':1}},"
                + "'required':['task_id'],'additionalProperties':false}",
            REPORT,
            this::status));
  }

  SyncResourceTemplateSpecification resource() {
    return new SyncResourceTemplateSpecification(
        new ResourceTemplate(
            URI + "{id}",
            "swarm",
            "A swarm run",
            "A swarm's report: status, agents, coordination log, timeline, results, quality",
            SophiaResources.JSON,
            null),
        SophiaResources.guarded(this::read));
  }

  private CallToolResult trigger(McpSyncServerExchange exchange, CallToolRequest call) {
    Caller caller = Caller.of(exchange.transportContext());
    Map<String, Object> args = SophiaTools.arguments(call, TRIGGER_FIELDS);
    SwarmRequest.Draft body = Structured.read(args, SwarmRequest.Draft.class);
    SwarmRun run = swarms.trigger(body.toRequest(""), caller.keyId());
    if (Boolean.FALSE.equals(args.get("wait"))) {
      return report(swarms.report(run));
    }
    SophiaTools.Progress progress = SophiaTools.Progress.of(exchange, call);
    SwarmRun settled;
    try (var registration =
            cancellations.register(call, () -> swarms.engine().cancel(run.id(), caller.keyId()));
        AutoCloseable events =
            swarms
                .engine()
                .subscribe(
                    run.id(),
                    0,
                    (SwarmEvent e) -> {
                      if (e.type().startsWith("step_") || e.type().equals("plan")) {
                        progress.send(e.type() + (e.step().isEmpty() ? "" : " " + e.step()));
                      }
                    })) {
      settled = swarms.awaitSettled(run.id(), longestWait);
    } catch (Exception e) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
    return report(swarms.report(settled));
  }

  private CallToolResult status(McpSyncServerExchange exchange, CallToolRequest call) {
    Caller caller = Caller.of(exchange.transportContext());
    Map<String, Object> args = SophiaTools.arguments(call, Set.of("task_id"));
    String id = SophiaTools.text(args, "task_id");
    SwarmRun run =
        visible(caller, id)
            .orElseThrow(() -> new NotFoundException("no swarm with id '" + id + "'"));
    return report(swarms.report(run));
  }

  private ReadResourceResult read(McpSyncServerExchange exchange, ReadResourceRequest request) {
    Caller caller = Caller.of(exchange.transportContext());
    caller.require(Role.readonly, "reading swarms");
    String id = SophiaResources.id(request.uri(), URI);
    SwarmRun run =
        visible(caller, id)
            .orElseThrow(() -> SophiaResources.notFound(request.uri(), "no swarm with id " + id));
    return SophiaResources.contents(request.uri(), swarms.report(run));
  }

  private java.util.Optional<SwarmRun> visible(Caller caller, String id) {
    return swarms
        .engine()
        .find(id)
        .filter(r -> caller.role() == Role.admin || r.requestedBy().equals(caller.keyId()));
  }

  private static CallToolResult report(ObjectNode report) {
    String id = report.path("task_id").asText();
    String text =
        "Swarm " + id + " is " + report.path("status").asText() + ".\n\nReport: " + URI + id;
    return SophiaTools.ok(text, Structured.map(report));
  }
}
