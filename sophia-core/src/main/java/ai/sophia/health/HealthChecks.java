package ai.sophia.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs every registered {@link HealthCheck} in parallel, each on its own thread under its own
 * timeout, so one hung dependency cannot stall /health. Overall: down if a critical check is down,
 * degraded if anything is not up, else up. Probes run on platform threads: with thousands of
 * requests queued on the virtual-thread scheduler, a virtual probe would wait behind them and miss
 * its timeout, reporting a busy server as down.
 */
public final class HealthChecks {
  private static final ThreadFactory PROBES =
      Thread.ofPlatform().daemon().name("health-probe-", 0).factory();

  private final List<HealthCheck> checks = new java.util.concurrent.CopyOnWriteArrayList<>();

  public static HealthChecks create() {
    return new HealthChecks();
  }

  public HealthChecks register(HealthCheck check) {
    checks.add(Objects.requireNonNull(check, "check"));
    return this;
  }

  public List<HealthCheck> checks() {
    return List.copyOf(checks);
  }

  /**
   * The latest report; once it is older than {@code maxAge}, one background run replaces it while
   * callers keep getting the latest. Only the very first call waits for the probes. So a load
   * balancer polling hard cannot multiply the probes' own load (a probe writes a file and embeds a
   * sentence), and thousands of concurrent callers never queue behind a run.
   */
  public HealthReport run(Duration maxAge) {
    Cached cached = latest;
    if (cached == null) {
      synchronized (this) {
        cached = latest;
        if (cached == null) {
          cached = new Cached(run(), System.nanoTime());
          latest = cached;
        }
      }
    }
    if (System.nanoTime() - cached.atNanos() >= maxAge.toNanos()
        && refreshing.compareAndSet(false, true)) {
      PROBES.newThread(this::refresh).start();
    }
    return cached.report();
  }

  private void refresh() {
    try {
      latest = new Cached(run(), System.nanoTime());
    } finally {
      refreshing.set(false);
    }
  }

  private record Cached(HealthReport report, long atNanos) {}

  private volatile Cached latest;
  private final AtomicBoolean refreshing = new AtomicBoolean();

  /** Runs every check now. */
  public HealthReport run() {
    List<HealthCheck> snapshot = List.copyOf(checks);
    List<Future<Timed>> futures = new ArrayList<>();
    List<HealthReport.ComponentHealth> results = new ArrayList<>();
    // Not try-with-resources: close() would wait for a probe that ignores interrupts.
    ExecutorService executor = Executors.newThreadPerTaskExecutor(PROBES);
    try {
      long started = System.nanoTime();
      for (HealthCheck check : snapshot) {
        futures.add(executor.submit(() -> new Timed(check.check(), System.nanoTime())));
      }
      for (int i = 0; i < snapshot.size(); i++) {
        results.add(await(snapshot.get(i), futures.get(i), started));
      }
    } finally {
      executor.shutdownNow();
    }
    return new HealthReport(HealthReport.overall(results), results);
  }

  /** A probe's result and when it finished, so latency is the probe's own, not the wait's. */
  private record Timed(HealthStatus status, long finishedNanos) {}

  private static HealthReport.ComponentHealth await(
      HealthCheck check, Future<Timed> future, long startedNanos) {
    HealthStatus status;
    long finished;
    Duration timeout = check.timeout();
    long remaining = timeout.toNanos() - (System.nanoTime() - startedNanos);
    try {
      Timed timed = future.get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
      status = timed.status();
      finished = timed.finishedNanos();
    } catch (TimeoutException e) {
      future.cancel(true);
      status = HealthStatus.down("no answer within " + timeout.toMillis() + " ms");
      finished = System.nanoTime();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      status = HealthStatus.down(cause.getClass().getSimpleName() + ": " + cause.getMessage());
      finished = System.nanoTime();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = HealthStatus.down("interrupted");
      finished = System.nanoTime();
    }
    long latency = TimeUnit.NANOSECONDS.toMillis(finished - startedNanos);
    return new HealthReport.ComponentHealth(
        check.name(), status.state(), status.detail(), latency, check.critical(), status.facts());
  }
}
