package ai.sophia.agent;

import ai.sophia.memory.OperationsStore;
import ai.sophia.memory.TaskExecution;
import ai.sophia.tool.Risk;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what a run did where it belongs: its row in agent_runs (at start, on each approval, at the
 * end, with the transcript as JSON), a task execution ({@code agent.<name>}), the session's
 * conversation, and the question and answer as a long-term memory of the agent's scope.
 */
final class RunRecorder {
  private static final Logger log = LoggerFactory.getLogger(RunRecorder.class);
  static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .addModule(new JavaTimeModule())
          // A transcript read back (a run taken over) names each step by its kind.
          .registerSubtypes(
              Step.ModelCall.class, Step.ToolUse.class, Step.Approval.class, Step.Note.class)
          .build();

  private final AgentRunStore runs;
  private final EventJournal journal;
  private final OperationsStore operations;
  private final SessionStore sessions;
  private final AgentMemory memory;
  private final Clock clock;
  private final String owner;
  private final Duration lease;

  /** What of a request a resumed run needs besides its input, session and key. */
  record StoredRequest(Set<Risk> authorize, String idempotencyKey, int depth) {}

  RunRecorder(
      AgentRunStore runs,
      EventJournal journal,
      OperationsStore operations,
      SessionStore sessions,
      AgentMemory memory,
      Clock clock,
      String owner,
      Duration lease) {
    this.runs = runs;
    this.journal = journal;
    this.operations = operations;
    this.sessions = sessions;
    this.memory = memory;
    this.clock = clock;
    this.owner = owner;
    this.lease = lease;
  }

  /** The request of a stored run, as it was made. */
  static AgentRequest request(AgentRunStore.StoredRun stored) {
    StoredRequest r;
    try {
      r = JSON.readValue(stored.requestJson(), StoredRequest.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("run " + stored.id() + ": its stored request is not JSON", e);
    }
    return new AgentRequest(
        stored.input(),
        stored.sessionId(),
        r.authorize() == null ? Set.of() : r.authorize(),
        stored.apiKeyId(),
        r.depth(),
        r.idempotencyKey() == null ? "" : r.idempotencyKey());
  }

  /** A stored run's transcript. */
  static List<Step> transcript(AgentRunStore.StoredRun stored) {
    try {
      return JSON.readValue(stored.transcriptJson(), new TypeReference<List<Step>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("run " + stored.id() + ": its transcript is not JSON", e);
    }
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /** A transcript as JSON, each step tagged with its {@code kind}. */
  static String transcriptJson(List<Step> steps) {
    try {
      return JSON.writerFor(new TypeReference<List<Step>>() {}).writeValueAsString(steps);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the transcript: " + e.getMessage(), e);
    }
  }

  void saveProgress(AgentRun run) {
    journal.flush(); // the stored events keep up with the stored transcript
    runs.save(row(run, run.status(), ""));
  }

  /** The end of a run whose agent is no longer defined: its row alone. */
  void ended(AgentRun run, AgentResult result) {
    runs.save(row(run, result.status(), result.answer()));
  }

  /**
   * Records the end of the run ({@code result}; the run itself shows it only once this returns, so
   * that its status and its result change together).
   */
  void finished(AgentDefinition def, AgentRun run, AgentResult result) {
    journal.flush();
    runs.save(row(run, result.status(), result.answer()));
    Instant end = clock.instant();
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("run_id", run.id());
    detail.put("mode", result.mode());
    detail.put("model_calls", result.modelCalls());
    detail.put("input_tokens", result.inputTokens());
    detail.put("output_tokens", result.outputTokens());
    detail.put("cost_usd", result.costUsd());
    detail.put("note", result.note());
    operations.recordTask(
        new TaskExecution(
            run.id(),
            "agent." + def.name(),
            result.status().name(),
            run.startedAt(),
            end,
            end.toEpochMilli() - run.startedAt().toEpochMilli(),
            json(detail)));
    if (result.status() != RunStatus.succeeded || result.answer().isBlank()) {
      return;
    }
    String input = run.request().input();
    sessions.append(
        run.sessionId(),
        List.of(
            new SessionStore.Turn("user", input, ContextBuilder.tokens(input)),
            new SessionStore.Turn(
                "assistant", result.answer(), ContextBuilder.tokens(result.answer()))));
    try {
      memory.remember(def.memoryScope(), run.id(), input, result.answer());
    } catch (RuntimeException e) {
      // The answer stands without the memory; say so rather than fail a finished run.
      log.warn("run {}: storing its memory failed: {}", run.id(), e.getMessage());
    }
  }

  private AgentRunStore.StoredRun row(AgentRun run, RunStatus status, String output) {
    return new AgentRunStore.StoredRun(
        run.id(),
        run.agent(),
        run.sessionId(),
        run.request().apiKeyId(),
        status,
        run.mode(),
        run.request().input(),
        output,
        transcriptJson(run.transcript()),
        run.startedAt(),
        clock.instant(),
        owner,
        clock.instant().plus(lease),
        json(
            new StoredRequest(
                run.request().authorize(), run.request().idempotencyKey(), run.request().depth())),
        run.traceId() == null ? "" : run.traceId());
  }
}
