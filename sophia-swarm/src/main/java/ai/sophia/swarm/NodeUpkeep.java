package ai.sophia.swarm;

import ai.sophia.memory.Owners;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine's background work on its node, on one platform thread: every third of a lease, renew
 * the leases (and stop executing what another engine took meanwhile), time out parked runs, apply
 * cancels asked elsewhere and, hourly, the retention; for a serving node, also every {@link
 * #SWEEP_EVERY}, take over the runs other nodes lost. The store's notifications land here too.
 *
 * <p>Never blocks its thread on a run: a cancel asked elsewhere only tells the execution to stop,
 * which records the end itself. A store that fails is said once, not every second, and said again
 * when it answers.
 */
final class NodeUpkeep implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeUpkeep.class);

  /** How often a sweeping engine looks for lost runs and cancel requests. */
  static final Duration SWEEP_EVERY = Duration.ofSeconds(1);

  /** How often the engine applies the retention by itself (also at its first upkeep). */
  static final Duration PURGE_EVERY = Duration.ofHours(1);

  private final SwarmEngine engine;
  private final SwarmStore store;
  private final Duration lease;
  private final ScheduledExecutorService ticker;
  private volatile boolean sweeping;
  private volatile boolean failing;
  private Instant nextPurge = Instant.EPOCH;

  NodeUpkeep(SwarmEngine engine, Duration lease) {
    this.engine = engine;
    this.store = engine.store();
    this.lease = lease;
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("swarm-engine-ticker").unstarted(r));
    long every = Math.max(100, lease.toMillis() / 3);
    ticker.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
  }

  void startSweeping() {
    if (!sweeping) {
      sweeping = true;
      long every = SWEEP_EVERY.toMillis();
      ticker.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }
  }

  private void tick() {
    try {
      // Executions listed before the renewal: each was claimed before it, so it is in the answer
      // unless another engine took the run meanwhile.
      List<RunExecution> before = new ArrayList<>(engine.executions().values());
      Set<String> held = store.renew(engine.owner(), engine.clock().instant().plus(lease));
      for (RunExecution exec : before) {
        if (!held.contains(exec.runId()) && !exec.log().finished()) {
          boolean lost = store.find(exec.runId()).map(r -> !r.status().finished()).orElse(true);
          if (lost) {
            log.warn("swarm run {} was taken by another engine; it stops here", exec.runId());
            exec.abandon();
          }
        }
      }
      engine.parkedRuns().retainAll(held);
      engine.forgetLogs(held);
      for (String runId : engine.parkedRuns()) {
        store.find(runId).ifPresent(engine::timeOutIfLate);
      }
      applyCancelRequests();
      Instant now = engine.clock().instant();
      if (!now.isBefore(nextPurge)) {
        nextPurge = now.plus(PURGE_EVERY);
        int purged = engine.purgeExpired();
        if (purged > 0) {
          log.info("compacted {} swarm runs past their retention", purged);
        }
      }
      succeeded();
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /** Resumes the runs other engines lost and applies cancel requests. */
  private void sweep() {
    try {
      // Pages of 100 (claimed runs drop out of the next page), 1,000 at most a sweep.
      int resumed = 0;
      for (int page = 0; page < 10; page++) {
        List<SwarmRun> lost =
            store.orphaned(engine.owner(), engine.clock().instant(), Owners::gone, 100);
        resumed += engine.resume(lost);
        if (lost.size() < 100) {
          break;
        }
      }
      if (resumed > 0) {
        log.info("took over {} swarm runs another engine lost", resumed);
      }
      applyCancelRequests();
      succeeded();
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /** Stops the runs of this engine that another node asked to cancel. */
  private void applyCancelRequests() {
    for (Map.Entry<String, String> asked : store.cancelRequests(engine.owner()).entrySet()) {
      RunExecution exec = engine.executions().get(asked.getKey());
      if (exec != null) {
        exec.requestStop(RunExecution.Stop.CANCELLED, asked.getValue()); // it records the end
      } else {
        engine.cancelIdle(asked.getKey(), asked.getValue());
      }
    }
  }

  /** What the store reports another process committed, on the store's listening thread. */
  void changed(SwarmStore.Change change) {
    switch (change) {
      case SwarmStore.Change.Events e -> {
        if (!engine.executions().containsKey(e.runId())) { // its own subscribers have them
          engine.wakeWatchers(e.runId());
        }
      }
      case SwarmStore.Change.CancelAsked c -> {
        String id = c.runId();
        if (engine.executions().containsKey(id) || engine.parkedRuns().contains(id)) {
          onTicker(this::applyCancelRequests);
        }
      }
      case SwarmStore.Change.Missed m -> {
        engine.wakeWatchers(null);
        onTicker(this::applyCancelRequests);
      }
    }
  }

  private void onTicker(Runnable work) {
    try {
      ticker.execute(
          () -> {
            try {
              work.run();
            } catch (RuntimeException e) {
              failed(e);
            }
          });
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private void failed(RuntimeException e) {
    if (!failing) {
      failing = true;
      log.warn("swarm engine upkeep failed: {}", e.getMessage());
    }
  }

  private void succeeded() {
    if (failing) {
      failing = false;
      log.info("swarm engine upkeep works again");
    }
  }

  /** Stops; an upkeep in flight finishes first, before the store it uses may close. */
  @Override
  public void close() {
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
