package ai.sophia.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Where runs, their step checkpoints and events are kept ({@link SqlSwarmStore} by default, {@link
 * InMemorySwarmStore} where durability is not wanted). The engine is its only caller: it serialises
 * the writes of one run, and every write is one {@link Commit}, applied atomically.
 */
public interface SwarmStore {

  /** Records a new run (status pending) held by {@code owner} until {@code leaseUntil}. */
  void create(SwarmRun run, String owner, Instant leaseUntil, List<SwarmEvent> events);

  /**
   * Applies one change atomically: steps upserted by key, the run's status, state and error updated
   * when {@code run} is present, events appended. The fence: only while the commit's {@code owner}
   * still holds the run (checked in the write's transaction); otherwise nothing is written and the
   * owner that holds the run instead is returned. Empty when written.
   */
  Optional<String> commit(Commit commit);

  /** The run with its steps in the order they were first recorded. */
  Optional<SwarmRun> find(String runId);

  /** Runs newest first, without their steps. */
  List<SwarmRun> list(Optional<SwarmStatus> status, int limit);

  /** Runs that are not finished (pending, running, waiting_approval), oldest first. */
  List<SwarmRun> unfinished(int limit);

  /** Per step key, what an approval decided ({@code {granted, by, reason, at}}) for this run. */
  Map<String, JsonNode> approvals(String runId);

  /** The run's events with {@code seq > afterSeq}, in order, at most {@code limit}. */
  List<SwarmEvent> events(String runId, long afterSeq, int limit);

  /** The highest event seq of the run; 0 when it has none. */
  long lastSeq(String runId);

  /**
   * Takes over an unfinished run for {@code owner} until {@code leaseUntil} when no other owner
   * holds it: {@code owner} has it already, its lease expired, {@code ownerGone} says its owner is
   * dead, or it waits for approval (nobody runs it). True when taken.
   */
  boolean claim(
      String runId, String owner, Instant now, Instant leaseUntil, Predicate<String> ownerGone);

  /**
   * Extends the lease of every unfinished run that {@code owner} holds; returns their ids, so that
   * an engine learns which of its runs another one has taken meanwhile.
   */
  Set<String> renew(String owner, Instant leaseUntil);

  /**
   * Unfinished runs held by an owner other than {@code self} that lost them: the lease expired
   * before {@code now}, or {@code ownerGone} says the owner is dead. Oldest first, at most {@code
   * limit}, without their steps: what a sweeping engine tries to {@link #claim}.
   */
  List<SwarmRun> orphaned(String self, Instant now, Predicate<String> ownerGone, int limit);

  /**
   * Asks whoever executes the unfinished run to cancel it ({@code by} asked); false when the run is
   * finished or unknown. The owner finds the request in {@link #cancelRequests}.
   */
  boolean requestCancel(String runId, String by);

  /** Per unfinished run held by {@code owner} that was asked to cancel: who asked. */
  Map<String, String> cancelRequests(String owner);

  /**
   * Deletes the steps and events of runs finished before {@code before}, keeping each run row with
   * a compact summary of its steps; returns how many runs were compacted.
   */
  int purgeFinishedBefore(Instant before);

  /** Bytes the run's record takes in the store (rows and their indexes, approximately). */
  long recordBytes(String runId);

  /**
   * Tells {@code listener}, on a thread of the store's, of what any process commits: events added
   * to a run, a cancel asked, or that some may have been missed. Empty when the store cannot tell
   * (SQLite, memory): then readers poll.
   */
  Optional<AutoCloseable> listen(Consumer<Change> listener);

  /** What another process committed, as {@link #listen} reports it. */
  sealed interface Change {
    /** Events of the run were committed. */
    record Events(String runId) implements Change {}

    /** Someone asked to cancel the run. */
    record CancelAsked(String runId) implements Change {}

    /** Changes may have been missed (at the start, after a lost connection): look again. */
    record Missed() implements Change {}
  }

  /**
   * One atomic write by {@code owner}, the run's holder: optionally a run change, steps to upsert
   * (with the approval decision when there is one), events to append.
   */
  record Commit(
      String runId,
      String owner,
      Optional<RunChange> run,
      List<StepWrite> steps,
      List<SwarmEvent> events) {}

  /** A run's new status, state, error and finish time. */
  record RunChange(
      SwarmStatus status, JsonNode state, String error, Optional<Instant> finishedAt) {}

  /** A step to upsert; {@code approval} is a JSON null unless a person decided on it. */
  record StepWrite(StepRecord step, JsonNode approval) {}
}
