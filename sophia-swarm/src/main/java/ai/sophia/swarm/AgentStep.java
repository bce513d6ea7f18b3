package ai.sophia.swarm;

import ai.sophia.agent.Agent;
import ai.sophia.agent.AgentEvent;
import ai.sophia.agent.AgentRequest;
import ai.sophia.agent.AgentResult;
import ai.sophia.agent.AgentRun;
import ai.sophia.agent.AgentRuntime;
import ai.sophia.agent.RunStatus;
import ai.sophia.tool.Risk;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One agent run inside a swarm step: started with the step's idempotency key (so its side-effecting
 * tool calls get keys that are the same when the step runs again after a crash), followed (its tool
 * calls become {@code agent_tool} events of the step), cancelled when the step is, and turned into
 * the per-agent result the swarm reports. A run that does not succeed fails the step's attempt.
 */
final class AgentStep {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Pattern CITATION = Pattern.compile("\\[\\d+]");

  private AgentStep() {}

  /** Why an agent's run did not succeed; the message names the agent, its run and the reason. */
  static final class AgentFailed extends Exception {
    AgentFailed(String message) {
      super(message);
    }
  }

  static ObjectNode run(
      AgentRuntime runtime,
      StepContext context,
      String agentName,
      String subtaskId,
      String input,
      Set<Risk> authorize)
      throws AgentFailed {
    Agent agent = runtime.agents().get(agentName);
    AgentRequest request =
        AgentRequest.of(input)
            .withAuthorize(authorize)
            .withApiKey(context.requestedBy())
            .withIdempotencyKey(context.idempotencyKey());
    Instant started = Instant.now();
    AgentRun run = agent.start(request);
    context.event(
        "agent_started",
        JSON.createObjectNode()
            .put("agent", agentName)
            .put("run_id", run.id())
            .put("subtask", subtaskId)
            .put("mode", run.mode())
            .put("attempt", context.attempt()));
    context.log("agent " + agentName + " started run " + run.id() + " (" + run.mode() + ")");
    AgentResult result;
    try (AutoCloseable ignored = run.subscribe(e -> forward(context, agentName, e))) {
      result = follow(context, run);
    } catch (Exception e) {
      run.cancel();
      throw new IllegalStateException("following agent run " + run.id() + " failed", e);
    }
    Instant finished = Instant.now();
    context.usage(result.inputTokens(), result.outputTokens(), result.costUsd());
    ObjectNode out = JSON.createObjectNode();
    out.put("agent", agentName)
        .put("type", agent.definition().type())
        .put("subtask", subtaskId)
        .put("run_id", run.id())
        .put("status", result.status().name())
        .put("mode", result.mode())
        .put("answer", result.answer())
        .put("note", result.note())
        .put("citations", citations(result.answer()))
        .put("started_at", started.toString())
        .put("finished_at", finished.toString())
        .put("duration_ms", Duration.between(started, finished).toMillis())
        .put("model_calls", result.modelCalls())
        .put("input_tokens", result.inputTokens())
        .put("output_tokens", result.outputTokens())
        .put("cost_usd", result.costUsd());
    context.event("agent_finished", out.deepCopy().without("answer"));
    context.log(
        "agent "
            + agentName
            + " run "
            + run.id()
            + " "
            + result.status()
            + " in "
            + out.path("duration_ms").asLong()
            + " ms");
    if (result.status() != RunStatus.succeeded) {
      throw new AgentFailed(
          "agent "
              + agentName
              + " (run "
              + run.id()
              + ") ended "
              + result.status()
              + (result.note().isBlank() ? "" : ": " + result.note()));
    }
    return out;
  }

  /** Waits for the run, cancelling it when the step is cancelled or times out. */
  private static AgentResult follow(StepContext context, AgentRun run) {
    boolean cancelled = false;
    while (true) {
      Optional<AgentResult> done = run.await(POLL);
      if (done.isPresent()) {
        return done.get();
      }
      if (!cancelled && context.cancelled()) {
        run.cancel();
        cancelled = true;
      }
    }
  }

  private static void forward(StepContext context, String agent, AgentEvent event) {
    if (event instanceof AgentEvent.ToolStarted t) {
      context.event(
          "agent_tool",
          JSON.createObjectNode()
              .put("agent", agent)
              .put("run_id", t.runId())
              .put("tool", t.tool())
              .put("risk", t.risk().name()));
    } else if (event instanceof AgentEvent.ApprovalRequired a) {
      context.event(
          "agent_waiting_approval",
          JSON.createObjectNode()
              .put("agent", agent)
              .put("run_id", a.runId())
              .put("approval_id", a.approvalId())
              .put("tool", a.tool()));
    }
  }

  /** How many distinct [n] markers an answer has. */
  static int citations(String answer) {
    return (int) CITATION.matcher(answer).results().map(m -> m.group()).distinct().count();
  }
}
