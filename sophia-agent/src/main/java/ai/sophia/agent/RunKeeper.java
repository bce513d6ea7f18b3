package ai.sophia.agent;

import ai.sophia.memory.Owners;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A serving runtime's leases on its agent runs, on one platform thread: every third of a lease,
 * renew them (a run another node took meanwhile is handed over here) and apply cancels asked on
 * other nodes; every {@link #SWEEP_EVERY}, take over the unfinished runs whose lease expired or
 * whose process is gone (another node's, or this node's before a restart). A store that fails is
 * said once, not every second, and said again when it answers.
 */
final class RunKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunKeeper.class);

  /** How often lost runs are looked for. */
  static final Duration SWEEP_EVERY = Duration.ofSeconds(1);

  private final AgentRuntime runtime;
  private final AgentRunStore store;
  private final Duration lease;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("agent-run-keeper").unstarted(r));
  private volatile boolean failing;

  RunKeeper(AgentRuntime runtime, AgentRunStore store, Duration lease) {
    this.runtime = runtime;
    this.store = store;
    this.lease = lease;
    long every = Math.max(100, lease.toMillis() / 3);
    ticker.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    ticker.scheduleWithFixedDelay(this::sweep, 0, SWEEP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void renew() {
    try {
      // Runs listed before the renewal: each was saved under this owner before it, so it is held
      // unless another node took it meanwhile.
      List<AgentRun> before = runtime.activeRuns();
      Set<String> held = store.renew(runtime.owner(), runtime.clock().instant().plus(lease));
      for (AgentRun run : before) {
        if (!held.contains(run.id()) && !run.status().finished()) {
          boolean taken =
              store
                  .find(run.id())
                  .filter(r -> !r.status().finished())
                  .map(r -> !r.owner().equals(runtime.owner()))
                  .orElse(false);
          if (taken) {
            log.warn("agent run {} was taken over by another node; it stops here", run.id());
            run.handOver("another node took the run over");
          }
        }
      }
      applyCancelRequests();
      succeeded();
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  private void sweep() {
    try {
      int resumed = 0;
      for (int page = 0; page < 10; page++) {
        List<AgentRunStore.StoredRun> lost =
            store.orphaned(runtime.owner(), runtime.clock().instant(), Owners::gone, 100);
        for (AgentRunStore.StoredRun run : lost) {
          if (store.claim(
              run.id(),
              runtime.owner(),
              runtime.clock().instant(),
              runtime.clock().instant().plus(lease),
              Owners::gone)) {
            runtime.resume(run);
            resumed++;
          }
        }
        if (lost.size() < 100) {
          break;
        }
      }
      if (resumed > 0) {
        log.info("took over {} unfinished agent run(s)", resumed);
        applyCancelRequests();
      }
      succeeded();
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  private void applyCancelRequests() {
    for (Map.Entry<String, String> asked : store.cancelRequests(runtime.owner()).entrySet()) {
      runtime.run(asked.getKey()).ifPresent(AgentRun::cancel);
    }
  }

  private void failed(RuntimeException e) {
    if (!failing) {
      failing = true;
      log.warn("keeping agent runs' leases failed: {}", e.getMessage());
    }
  }

  private void succeeded() {
    if (failing) {
      failing = false;
      log.info("keeping agent runs' leases works again");
    }
  }

  /** Stops; a round in flight finishes first, before the store it uses may close. */
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
