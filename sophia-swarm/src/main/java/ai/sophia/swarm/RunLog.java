package ai.sophia.swarm;

import ai.sophia.memory.EventFeed;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write path of one run and its live subscribers.
 *
 * <p>Concurrency: every write of a run (step checkpoints from the runner and from fan-out branches,
 * log lines from step threads, decisions, cancellation) goes through {@link #commit} under its
 * lock, which numbers the events, commits them to the store in the same transaction as the change,
 * and only then hands them to the subscribers. A subscriber registers under the same lock and then
 * reads the stored events, so it sees every event, with no gap (it drops what it sees twice). After
 * {@code run_finished} nothing more is written. Another node may write to the run when this one
 * does not execute it: {@link #resync} takes its numbering up from the store before such a write.
 *
 * <p>Every commit is made as this engine's owner, and the store refuses it once another node has
 * taken the run (a node paused past its lease): then nothing more is written here, and {@code
 * onLost} stops the run's execution on this node, while the node that took it goes on.
 */
final class RunLog {
  private static final Logger log = LoggerFactory.getLogger(RunLog.class);

  /** An event not numbered yet. */
  record Draft(String type, String step, JsonNode data) {}

  private final String runId;
  private final String owner;
  private final SwarmStore store;
  private final Consumer<RunLog> onLost;
  private final Clock clock;
  private final List<EventFeed<SwarmEvent>> subscribers = new CopyOnWriteArrayList<>();

  /**
   * A lock, not a monitor: it is held across store writes that may park (group commit), which would
   * pin a virtual thread's carrier inside {@code synchronized} on JDK 21.
   */
  final ReentrantLock lock = new ReentrantLock();

  private long seq;
  private boolean finished;
  private boolean closed;
  private boolean lost;
  private Optional<SwarmStore.RunChange> deferredRun = Optional.empty();
  private final List<SwarmStore.StepWrite> deferredSteps = new ArrayList<>();
  private final List<Draft> deferredDrafts = new ArrayList<>();

  RunLog(String runId, String owner, SwarmStore store, Clock clock, Consumer<RunLog> onLost) {
    this.runId = runId;
    this.owner = owner;
    this.store = store;
    this.clock = clock;
    this.onLost = onLost;
    this.seq = store.lastSeq(runId);
  }

  /**
   * Commits a change with its events atomically; false (and nothing written) once the run finished,
   * the engine closed or another node took the run.
   */
  boolean commit(
      Optional<SwarmStore.RunChange> change,
      List<SwarmStore.StepWrite> stepWrites,
      List<Draft> newDrafts) {
    lock.lock();
    try {
      if (finished || closed || lost) {
        return false;
      }
      Optional<SwarmStore.RunChange> run = change.isPresent() ? change : deferredRun;
      List<SwarmStore.StepWrite> steps = stepWrites;
      List<Draft> drafts = newDrafts;
      if (!deferredSteps.isEmpty() || !deferredDrafts.isEmpty()) {
        steps = latestPerKey(deferredSteps, stepWrites);
        drafts = new ArrayList<>(deferredDrafts);
        drafts.addAll(newDrafts);
      }
      deferredRun = Optional.empty();
      deferredSteps.clear();
      deferredDrafts.clear();
      if (run.isEmpty() && steps.isEmpty() && drafts.isEmpty()) {
        return true;
      }
      List<SwarmEvent> events = new ArrayList<>(drafts.size());
      long next = seq;
      // At the store's precision: a subscriber that reads an event live and one that reads it
      // back from the store (on another node, after a reconnect) see the same event.
      Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
      for (Draft d : drafts) {
        events.add(new SwarmEvent(runId, ++next, d.type(), d.step(), d.data(), at));
      }
      Optional<String> heldBy =
          store.commit(new SwarmStore.Commit(runId, owner, run, steps, events));
      if (heldBy.isPresent()) {
        lost = true;
        log.warn(
            "lost the lease of swarm run {} to {}: this write is dropped and the run stops on this"
                + " node",
            runId,
            heldBy.get());
        onLost.accept(this);
        return false;
      }
      seq = next;
      if (run.isPresent() && run.get().status().finished()) {
        finished = true;
      }
      for (SwarmEvent e : events) {
        for (EventFeed<SwarmEvent> s : subscribers) {
          s.offer(e);
        }
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The writes in order, a deferred write of a step dropped when a later one replaces it. */
  private static List<SwarmStore.StepWrite> latestPerKey(
      List<SwarmStore.StepWrite> deferred, List<SwarmStore.StepWrite> now) {
    List<SwarmStore.StepWrite> out = new ArrayList<>(deferred.size() + now.size());
    for (SwarmStore.StepWrite d : deferred) {
      boolean replaced =
          d.approval().isNull()
              && now.stream().anyMatch(w -> w.step().key().equals(d.step().key()));
      if (!replaced) {
        out.add(d);
      }
    }
    out.addAll(now);
    return out;
  }

  /**
   * Holds a write back until the next commit or {@link #flush}, so that a short step's start and
   * finish share one transaction. What is held is lost in a crash: only writes that need not be
   * durable (the start of a step without side effects, the run's start) are deferred.
   */
  boolean defer(
      Optional<SwarmStore.RunChange> run, List<SwarmStore.StepWrite> steps, List<Draft> drafts) {
    lock.lock();
    try {
      if (finished || closed || lost) {
        return false;
      }
      if (run.isPresent()) {
        deferredRun = run;
      }
      deferredSteps.addAll(steps);
      deferredDrafts.addAll(drafts);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Commits what was deferred, if anything. */
  boolean flush() {
    lock.lock();
    try {
      return commit(Optional.empty(), List.of(), List.of());
    } finally {
      lock.unlock();
    }
  }

  boolean event(String type, String step, JsonNode data) {
    lock.lock();
    try {
      return commit(Optional.empty(), List.of(), List.of(new Draft(type, step, data)));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Registers {@code s} for the events committed from now on; it reads those before from the store
   * itself, and drops what it has twice.
   */
  void subscribe(EventFeed<SwarmEvent> s) {
    lock.lock();
    try {
      if (!finished) {
        subscribers.add(s);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes up the run where the store has it: another node may have written to it since this log
   * last did (a run that waited for approval here, decided and run elsewhere). Only for a run no
   * execution of this engine writes.
   */
  void resync() {
    lock.lock();
    try {
      seq = store.lastSeq(runId);
    } finally {
      lock.unlock();
    }
  }

  void unsubscribe(EventFeed<SwarmEvent> s) {
    subscribers.remove(s);
  }

  boolean finished() {
    lock.lock();
    try {
      return finished;
    } finally {
      lock.unlock();
    }
  }

  /** The engine closed: nothing more is written for this run by this process. */
  void close() {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Records a run's end and its last event ({@code run_finished}); {@code state} null keeps the
   * stored state. Steps still open when a run is cancelled or times out are closed as cancelled.
   */
  void finish(SwarmRun run, SwarmStatus status, JsonNode state, String error) {
    lock.lock();
    try {
      boolean stopped = status == SwarmStatus.cancelled || status == SwarmStatus.timed_out;
      if (stopped) {
        flush(); // deferred step starts, so that they are found and closed below
      }
      SwarmRun stored = state == null || stopped ? store.find(run.id()).orElseThrow() : run;
      JsonNode finalState = state != null ? state : stored.state();
      Instant now = clock.instant();
      List<SwarmStore.StepWrite> open = new ArrayList<>();
      if (stopped) {
        for (StepRecord s : stored.steps()) {
          if (s.status().equals("running") || s.status().equals("waiting_approval")) {
            StepRecord closed =
                new StepRecord(
                    s.key(),
                    s.name(),
                    "cancelled",
                    s.attempt(),
                    s.startedAt(),
                    Optional.of(now),
                    NullNode.getInstance(),
                    error);
            open.add(new SwarmStore.StepWrite(closed, NullNode.getInstance()));
          }
        }
      }
      ObjectNode data = Json.object().put("status", status.name());
      if (!error.isEmpty()) {
        data.put("error", error);
      }
      data.put("duration_ms", now.toEpochMilli() - run.createdAt().toEpochMilli());
      commit(
          Optional.of(new SwarmStore.RunChange(status, finalState, error, Optional.of(now))),
          open,
          List.of(new Draft(SwarmEvent.RUN_FINISHED, "", data)));
    } finally {
      lock.unlock();
    }
  }
}
