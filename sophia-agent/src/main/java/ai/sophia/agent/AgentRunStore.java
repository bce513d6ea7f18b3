package ai.sophia.agent;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Agent runs as stored: what was asked, how it ended, the transcript as JSON, and who runs it.
 *
 * <p>Ownership: the node running an unfinished run holds a lease on it ({@code owner}, {@code
 * lease_until}) and {@link #renew renews} it; a node that finds a run whose lease expired or whose
 * owner is gone {@link #claim claims} it and goes on from its transcript. A save only lands while
 * its {@code owner} still holds the run, so a node that lost a run cannot overwrite what the new
 * owner wrote.
 */
public interface AgentRunStore {
  /**
   * A run's row; {@code output} is {@code ""} until it has an answer. {@code requestJson} holds
   * what a resumed run needs of its request besides the input (authorized risks, idempotency key,
   * depth); {@code traceId} is the run's trace when tracing was on ({@code ""} otherwise).
   */
  record StoredRun(
      String id,
      String agent,
      String sessionId,
      String apiKeyId,
      RunStatus status,
      String mode,
      String input,
      String output,
      String transcriptJson,
      Instant createdAt,
      Instant updatedAt,
      String owner,
      Instant leaseUntil,
      String requestJson,
      String traceId) {}

  /**
   * Inserts the run's row, or replaces it while {@code run.owner()} still holds it (a row another
   * owner took is left alone). The owner and lease of an existing row change only by {@link #claim}
   * and {@link #renew}.
   */
  void save(StoredRun run);

  Optional<StoredRun> find(String id);

  /** Newest first, at most {@code limit}. */
  List<StoredRun> recent(int limit);

  /**
   * Takes the unfinished run {@code runId} for {@code owner} until {@code leaseUntil} if it is
   * free: already {@code owner}'s, its lease expired before {@code now}, or its owner {@code gone}.
   * Of two claimers at once exactly one wins.
   */
  boolean claim(
      String runId, String owner, Instant now, Instant leaseUntil, Predicate<String> gone);

  /** Extends {@code owner}'s leases on its unfinished runs; returns the ids it still holds. */
  Set<String> renew(String owner, Instant leaseUntil);

  /**
   * Unfinished runs of other owners that are free to take (lease expired, or owner {@code gone}),
   * oldest first, at most {@code limit}.
   */
  List<StoredRun> orphaned(String self, Instant now, Predicate<String> gone, int limit);

  /** Ends {@code owner}'s leases at once, so another node takes its runs without waiting. */
  void release(String owner);

  /** Asks whichever node runs {@code runId} to cancel it; false when it is not unfinished. */
  boolean requestCancel(String runId, String by);

  /** The unfinished runs of {@code owner} that a cancel was asked for, with who asked. */
  Map<String, String> cancelRequests(String owner);

  /** One stored event of a run: its seq (1, 2, … per run, without gaps), its name, its JSON. */
  record StoredEvent(String runId, long seq, String type, String dataJson, Instant at) {}

  /**
   * Appends events (of one run or several) while {@code owner} holds each run, checked in the
   * write's own transaction; an event stored already is left as it is. Tells every node's {@link
   * #listenEvents} of the runs written. Returns the runs whose events were refused: another owner
   * holds them.
   */
  Set<String> appendEvents(String owner, List<StoredEvent> events);

  /** The run's events with {@code seq > afterSeq}, in order, at most {@code limit}. */
  List<StoredEvent> events(String runId, long afterSeq, int limit);

  /** The highest event seq of the run; 0 when it has none. */
  long lastSeq(String runId);

  /** Deletes the events of runs finished before {@code before}; returns how many runs had some. */
  int purgeEventsFinishedBefore(Instant before);

  /**
   * Calls {@code runIds}, on a thread of the store's, with the id of each run whose events any
   * process appended, and with "" when some may have been missed; empty when the store cannot tell
   * (SQLite): then readers poll.
   */
  Optional<AutoCloseable> listenEvents(Consumer<String> runIds);
}
