package ai.sophia.swarm;

import ai.sophia.config.SophiaConfig;
import ai.sophia.error.ConflictException;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.memory.EventFeed;
import ai.sophia.memory.EventFeeds;
import ai.sophia.memory.Owners;
import ai.sophia.swarm.SwarmStore.RunChange;
import ai.sophia.swarm.SwarmStore.StepWrite;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs graphs durably. A run is stored before its first step; every step's result is committed when
 * it finishes; {@link #resumeUnfinished()} continues every run a crash interrupted from its last
 * committed step. Runs execute on virtual threads.
 *
 * <p>Ownership: each engine names itself {@code node/pid/random} and holds a lease on the runs it
 * executes ({@code swarm.lease_ms}), renewed every third of it. Another engine resumes a run only
 * when its lease has expired or its owner is a process of this host that no longer lives, so a CLI
 * and a server sharing one database never run the same run twice, and a crashed process's runs
 * resume at once.
 *
 * <p>Several nodes on one database (PostgreSQL): a serving engine {@linkplain #startSweeping
 * sweeps} every second for runs whose owner lost them and resumes them; it stops executing a run it
 * learns (at renewal) another engine has taken. Subscribers read events from the store, so they
 * follow a run wherever it executes, woken by the store's notifications where it has them. A cancel
 * of a run another node executes is recorded in the store for that node to apply.
 */
public final class SwarmEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SwarmEngine.class);

  /** How long a cancel of a run executing on another node waits for that node to stop it. */
  private static final Duration CANCEL_WAIT = Duration.ofSeconds(10);

  /** How often a subscriber looks at the store when nothing came: the store notifies or not. */
  private static final Duration POLL = Duration.ofMillis(200);

  private static final Duration POLL_NOTIFIED = Duration.ofSeconds(2);

  private static final Duration DEFAULT_BACKOFF = Duration.ofMillis(200);

  private final SwarmStore store;
  private final SophiaConfig.Swarm settings;
  private final Clock clock;
  private final StepPolicy defaultPolicy;
  private final String owner;
  private final Duration lease;
  private final EventFeeds<SwarmEvent> watchers = new EventFeeds<>();
  private final Set<String> graphless = ConcurrentHashMap.newKeySet();
  private final Optional<AutoCloseable> listening;
  private final Map<String, SwarmGraph> graphs = new ConcurrentHashMap<>();
  private final Map<String, RunExecution> executions = new ConcurrentHashMap<>();
  private final Map<String, RunLog> logs = new ConcurrentHashMap<>();
  private final Set<String> parked = ConcurrentHashMap.newKeySet();
  private final NodeUpkeep upkeep;
  private volatile boolean closed;

  private SwarmEngine(SwarmStore store, SophiaConfig.Swarm settings, Clock clock) {
    this.store = store;
    this.settings = settings;
    this.clock = clock;
    this.defaultPolicy =
        new StepPolicy(
            Duration.ofMillis(settings.stepTimeoutMs()),
            settings.stepAttempts(),
            DEFAULT_BACKOFF,
            false,
            false);
    this.owner = Owners.register(settings.nodeName());
    this.lease = Duration.ofMillis(settings.leaseMs());
    this.upkeep = new NodeUpkeep(this, lease);
    this.listening = store.listen(upkeep::changed);
  }

  /** An engine over {@code store}; the step defaults, deadline and retention come from settings. */
  public static SwarmEngine create(SwarmStore store, SophiaConfig.Swarm settings, Clock clock) {
    return new SwarmEngine(
        Objects.requireNonNull(store, "store"),
        Objects.requireNonNull(settings, "settings"),
        Objects.requireNonNull(clock, "clock"));
  }

  /** Makes a graph runnable, and resumable, under its name. */
  public void register(SwarmGraph graph) {
    Objects.requireNonNull(graph, "graph");
    graphs.put(graph.name(), graph);
  }

  /**
   * Records a new run of the graph named {@code graph} with {@code input} as its state, then starts
   * it; returns at once.
   *
   * @throws ai.sophia.error.InvalidInputException when no graph has that name
   */
  public SwarmRun start(String graph, JsonNode input, String requestedBy) {
    Objects.requireNonNull(requestedBy, "requestedBy");
    checkOpen();
    SwarmGraph g = graph == null ? null : graphs.get(graph);
    if (g == null) {
      throw new InvalidInputException(
          "graph", "no swarm graph is named '" + graph + "'; known: " + graphs.keySet());
    }
    if (input == null || !input.isObject()) {
      throw new InvalidInputException("input", "a swarm run's input must be a JSON object");
    }
    Instant now = clock.instant();
    SwarmRun run =
        new SwarmRun(
            SwarmIds.run(),
            g.name(),
            SwarmStatus.pending,
            requestedBy,
            input.deepCopy(),
            input.deepCopy(),
            List.of(),
            "",
            now,
            Optional.empty(),
            now.plusMillis(settings.runDeadlineMs()));
    // Stored before anything runs: a crash right after this line still leaves a run to resume.
    store.create(run, owner, now.plus(lease), List.of());
    launch(run, g, false);
    return run;
  }

  /** Continues every unfinished run in the store; returns how many. Call once after start-up. */
  public int resumeUnfinished() {
    checkOpen();
    int resumed = resume(store.unfinished(100_000));
    if (resumed > 0) {
      log.info("resumed {} unfinished swarm runs", resumed);
    }
    return resumed;
  }

  /**
   * From now on, every {@link NodeUpkeep#SWEEP_EVERY}, resumes the runs other engines lost (lease
   * expired, process dead) and applies cancels other nodes asked for. For a serving node; a CLI
   * command beside it must not take runs.
   */
  public void startSweeping() {
    checkOpen();
    upkeep.startSweeping();
  }

  /** The name this engine holds its leases under ({@code node/pid/random}). */
  public String owner() {
    return owner;
  }

  /** Claims and continues each run of {@code runs} that no live engine holds; how many. */
  int resume(List<SwarmRun> runs) {
    int resumed = 0;
    for (SwarmRun run : runs) {
      if (executions.containsKey(run.id())) {
        continue;
      }
      SwarmGraph graph = graphs.get(run.graph());
      if (graph == null) {
        if (graphless.add(run.id())) {
          log.warn(
              "swarm run {} is left unfinished: no graph '{}' is registered",
              run.id(),
              run.graph());
        }
        continue;
      }
      Instant now = clock.instant();
      if (!store.claim(run.id(), owner, now, now.plus(lease), Owners::gone)) {
        continue; // another live engine runs it
      }
      if (run.status() == SwarmStatus.waiting_approval) {
        parked.add(run.id());
        logFor(run.id());
        timeOutIfLate(run);
        continue;
      }
      launch(run, graph, true);
      resumed++;
    }
    return resumed;
  }

  public Optional<SwarmRun> find(String runId) {
    return store.find(Objects.requireNonNull(runId, "runId"));
  }

  /** Runs newest first, without their steps, of one status or all. */
  public List<SwarmRun> list(Optional<SwarmStatus> status, int limit) {
    return store.list(Objects.requireNonNull(status, "status"), limit);
  }

  /** The run once finished, or as it is when {@code max} has passed. */
  public SwarmRun await(String runId, Duration max) {
    long end = System.nanoTime() + max.toNanos();
    while (true) {
      RunExecution exec = executions.get(runId);
      long left = end - System.nanoTime();
      if (exec != null && left > 0) {
        try {
          exec.done().get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          // as it is now
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return require(runId);
        } catch (java.util.concurrent.ExecutionException e) {
          // the execution records its own failure
        }
      }
      SwarmRun run = require(runId);
      left = end - System.nanoTime();
      if (run.status().finished() || left <= 0) {
        return run;
      }
      if (!executions.containsKey(runId)) {
        try {
          Thread.sleep(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 50)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return run;
        }
      }
    }
  }

  /**
   * Cancels a run: running steps are told, nothing new starts, the run ends cancelled.
   *
   * @throws ai.sophia.error.NotFoundException when there is no such run
   * @throws ai.sophia.error.ConflictException when it has already finished
   */
  public SwarmRun cancel(String runId, String by) {
    Objects.requireNonNull(by, "by");
    SwarmRun run = require(runId);
    if (run.status().finished()) {
      throw new ConflictException("swarm run " + runId + " has already finished: " + run.status());
    }
    Instant now = clock.instant();
    if (!executions.containsKey(runId)
        && !store.claim(runId, owner, now, now.plus(lease), Owners::gone)) {
      // Another live engine executes it: it stops the run once it sees the request (at once on
      // PostgreSQL, within a second otherwise).
      store.requestCancel(runId, by);
      return awaitFinished(runId, CANCEL_WAIT);
    }
    RunExecution exec = executions.get(runId);
    if (exec != null) {
      exec.requestStop(RunExecution.Stop.CANCELLED, by);
      exec.done().orTimeout(30, TimeUnit.SECONDS).exceptionally(t -> null).join();
    }
    cancelIdle(runId, by);
    return require(runId);
  }

  /** Records a run no execution of this engine writes cancelled, unless it has finished. */
  void cancelIdle(String runId, String by) {
    RunLog runLog = logFor(runId);
    runLog.lock.lock();
    try {
      SwarmRun now = require(runId);
      if (!now.status().finished() && !executions.containsKey(runId)) {
        // Not executing here: waiting for approval, or pending in a store no engine runs now.
        runLog.resync();
        finishRun(now, runLog, SwarmStatus.cancelled, null, "cancelled by " + by);
      }
    } finally {
      runLog.lock.unlock();
    }
    parked.remove(runId);
  }

  private SwarmRun awaitFinished(String runId, Duration max) {
    long end = System.nanoTime() + max.toNanos();
    SwarmRun run = require(runId);
    while (!run.status().finished() && System.nanoTime() < end) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      run = require(runId);
    }
    return run;
  }

  /**
   * A person's decision on a step waiting for approval; recorded with who and why. Denied, the step
   * is skipped (status skipped, the reason as its error) and the run goes on.
   *
   * @throws ai.sophia.error.NotFoundException when no such step waits
   */
  public SwarmRun decide(
      String runId, String stepKey, boolean granted, String decidedBy, String reason) {
    Objects.requireNonNull(stepKey, "stepKey");
    Objects.requireNonNull(decidedBy, "decidedBy");
    String why = reason == null ? "" : reason;
    checkOpen();
    // A run waiting for approval is anyone's to take: taken before the decision is recorded, so
    // that the engine that parked it does not hold it on.
    Instant claimedAt = clock.instant();
    boolean held =
        executions.containsKey(runId)
            || store.claim(runId, owner, claimedAt, claimedAt.plus(lease), Owners::gone);
    if (held) {
      parked.add(runId);
    }
    RunLog runLog = logFor(runId);
    SwarmRun run;
    runLog.lock.lock();
    try {
      run = require(runId);
      StepRecord step =
          run.steps().stream()
              .filter(s -> s.key().equals(stepKey) && s.status().equals("waiting_approval"))
              .findFirst()
              .orElseThrow(
                  () ->
                      new NotFoundException(
                          "no step '"
                              + stepKey
                              + "' of swarm run "
                              + runId
                              + " waits for approval"));
      if (timeOutIfLate(run)) {
        return require(runId);
      }
      if (!executions.containsKey(runId)) {
        runLog.resync();
      }
      Instant at = clock.instant();
      ObjectNode decision =
          Json.object()
              .put("granted", granted)
              .put("by", decidedBy)
              .put("reason", why)
              .put("at", at.toString());
      StepRecord decided =
          new StepRecord(
              step.key(),
              step.name(),
              granted ? "pending" : "skipped",
              0,
              Optional.empty(),
              granted ? Optional.empty() : Optional.of(at),
              NullNode.getInstance(),
              granted ? "" : "denied by " + decidedBy + (why.isEmpty() ? "" : ": " + why));
      ObjectNode data = decision.deepCopy();
      data.put("step", stepKey);
      runLog.commit(
          Optional.of(new RunChange(SwarmStatus.running, run.state(), "", Optional.empty())),
          List.of(new StepWrite(decided, decision)),
          List.of(new RunLog.Draft("approval_decided", stepKey, data)));
    } finally {
      runLog.lock.unlock();
    }
    parked.remove(runId);
    // The execution that parked the run may still be on its way out; the next one starts after it.
    RunExecution parking = executions.get(runId);
    if (parking != null) {
      parking.done().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
    }
    SwarmGraph graph = graphs.get(run.graph());
    Instant now = clock.instant();
    if (graph == null) {
      log.warn("swarm run {} waits: no graph '{}' is registered to go on", runId, run.graph());
    } else if (held || store.claim(runId, owner, now, now.plus(lease), Owners::gone)) {
      launch(run, graph, true);
    }
    return require(runId);
  }

  /**
   * Delivers the run's stored events after {@code afterSeq} in order, then each new one, until the
   * subscription is closed.
   */
  public AutoCloseable subscribe(String runId, long afterSeq, Consumer<SwarmEvent> listener) {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(listener, "listener");
    RunLog live = executions.containsKey(runId) ? logs.get(runId) : null;
    Duration every = live != null || listening.isEmpty() ? POLL : POLL_NOTIFIED;
    EventFeed<SwarmEvent> s =
        new EventFeed<>("swarm-subscriber", storedLog(runId), listener, afterSeq, every);
    watchers.add(runId, s);
    if (live != null) {
      live.subscribe(s);
      s.onClose(() -> live.unsubscribe(s));
    }
    s.start();
    return s;
  }

  /** Deletes steps and events of runs finished longer ago than the retention; returns how many. */
  public int purgeExpired() {
    return store.purgeFinishedBefore(
        clock.instant().minus(Duration.ofDays(settings.retentionDays())));
  }

  /**
   * Stops executing: runs in flight stay unfinished in the store for the next engine to resume, and
   * their leases are handed back (expired now), so that another node's sweep resumes them within a
   * second rather than after {@code swarm.lease_ms}: a rolling restart does not stall them.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    upkeep.close();
    EventFeeds.stopListening(listening);
    List<RunExecution> running = new ArrayList<>(executions.values());
    running.forEach(RunExecution::abandon);
    logs.values().forEach(RunLog::close);
    for (RunExecution exec : running) {
      exec.done().orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> null).join();
    }
    try {
      // A lease that ended a moment ago: every sweeper sees the runs as lost at once.
      Set<String> handedBack = store.renew(owner, clock.instant().minusMillis(1));
      if (!handedBack.isEmpty()) {
        log.info("handed back {} unfinished swarm run(s) for another node", handedBack.size());
      }
    } catch (RuntimeException e) {
      log.warn(
          "handing back the swarm runs' leases failed (they expire by themselves): {}",
          e.toString());
    }
    Owners.release(owner);
  }

  // ---- for the executions and the upkeep ----

  /** The executions of this engine, by run id. */
  Map<String, RunExecution> executions() {
    return executions;
  }

  /** The runs parked here, waiting for approval. */
  Set<String> parkedRuns() {
    return parked;
  }

  /** Drops the write logs of runs this engine neither holds nor executes. */
  void forgetLogs(Set<String> held) {
    logs.keySet().removeIf(id -> !held.contains(id) && !executions.containsKey(id));
  }

  /** Wakes the subscribers of {@code runId}, or of every run when it is null. */
  void wakeWatchers(String runId) {
    if (runId == null) {
      watchers.wakeAll();
    } else {
      watchers.wake(runId);
    }
  }

  /** The run's events as the store has them, for a subscriber. */
  private EventFeed.Log<SwarmEvent> storedLog(String runId) {
    return new EventFeed.Log<>(
        (seq, limit) -> store.events(runId, seq, limit),
        () -> store.find(runId).map(r -> r.status().finished()).orElse(true),
        SwarmEvent::seq,
        SwarmEvent::last);
  }

  SwarmStore store() {
    return store;
  }

  Clock clock() {
    return clock;
  }

  StepPolicy defaultPolicy() {
    return defaultPolicy;
  }

  void parked(String runId) {
    parked.add(runId);
  }

  void executionEnded(RunExecution exec) {
    executions.remove(exec.runId(), exec);
    RunLog runLog = logs.get(exec.runId());
    if (runLog != null && runLog.finished()) {
      logs.remove(exec.runId(), runLog);
    }
  }

  /** Records a run's end and its last event; {@code state} null keeps the stored state. */
  void finishRun(SwarmRun run, RunLog runLog, SwarmStatus status, JsonNode state, String error) {
    runLog.finish(run, status, state, error);
    if (!executions.containsKey(run.id())) {
      logs.remove(run.id(), runLog);
    }
  }

  // ---- internals ----

  private void launch(SwarmRun run, SwarmGraph graph, boolean resumed) {
    RunLog runLog = logFor(run.id());
    if (resumed && !executions.containsKey(run.id())) {
      runLog.resync(); // another engine may have written to it since this one last did
    }
    RunExecution exec = new RunExecution(this, run, graph, runLog, resumed);
    if (executions.putIfAbsent(run.id(), exec) == null) {
      exec.start();
    }
  }

  private RunLog logFor(String runId) {
    return logs.computeIfAbsent(
        runId, id -> new RunLog(id, owner, store, clock, lost -> leaseLost(id, lost)));
  }

  /** Another node took the run: its execution here stops without writing, as when abandoned. */
  private void leaseLost(String runId, RunLog lost) {
    logs.remove(runId, lost);
    RunExecution exec = executions.get(runId);
    if (exec != null && exec.log() == lost) {
      exec.abandon();
    }
  }

  private SwarmRun require(String runId) {
    return store
        .find(Objects.requireNonNull(runId, "runId"))
        .orElseThrow(() -> new NotFoundException("no swarm run " + runId));
  }

  /** Ends a parked run whose deadline passed; true when it did. */
  boolean timeOutIfLate(SwarmRun run) {
    if (clock.instant().isBefore(run.deadline())) {
      return false;
    }
    RunLog runLog = logFor(run.id());
    runLog.lock.lock();
    try {
      SwarmRun now = require(run.id());
      if (!now.status().finished()) {
        if (!executions.containsKey(run.id())) {
          runLog.resync();
        }
        finishRun(
            now,
            runLog,
            SwarmStatus.timed_out,
            null,
            "the run's deadline " + run.deadline() + " passed");
      }
    } finally {
      runLog.lock.unlock();
    }
    parked.remove(run.id());
    return true;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the swarm engine is closed");
    }
  }
}
