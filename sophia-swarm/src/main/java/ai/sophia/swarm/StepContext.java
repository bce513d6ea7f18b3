package ai.sophia.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** What a running step knows and may do: its place in the run, the state, events, cancellation. */
public interface StepContext {
  String runId();

  /**
   * The step's key, the same on every attempt and after a restart: its name, {@code name[i]} for
   * the i-th branch of a fan-out, {@code name#n} for the n-th visit in a loop.
   */
  String stepKey();

  /**
   * {@code runId + "/" + stepKey}: hand it to tools with side effects (a commit, a deployment) so
   * that running this step again does the effect at most once.
   */
  String idempotencyKey();

  /** The run's state when the step started; read-only. */
  JsonNode state();

  /** The item of a fan-out branch; a JSON null outside a fan-out. */
  JsonNode item();

  /** 1 on the first attempt. */
  int attempt();

  /** The API key id the run was started for ({@code ""} from the CLI). */
  String requestedBy();

  /** A log line, kept with the run and streamed as a {@code log} event. */
  void log(String message);

  /** Tokens and cost this step spent, kept and streamed as a {@code usage} event. */
  void usage(long inputTokens, long outputTokens, double costUsd);

  /** A progress event of the step's own ({@code agent_started}, …), kept and streamed. */
  void event(String type, JsonNode data);

  /** True once the run was cancelled or its deadline or the step's timeout passed. */
  boolean cancelled();

  /** When the run must be finished. */
  Instant deadline();
}
