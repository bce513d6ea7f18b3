package ai.sophia.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs every registered {@link HealthCheck} in parallel, each on its own virtual thread under its
 * own timeout, so one hung dependency cannot stall /health. Overall: down if a critical check is
 * down, degraded if anything is not up, else up.
 */
public final class HealthChecks {
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
   * The latest report if it is younger than {@code maxAge}, else a fresh run. Concurrent callers
   * share one run, so a load balancer polling hard cannot multiply the probes' own load (a probe
   * writes a file and embeds a sentence).
   */
  public HealthReport run(Duration maxAge) {
    Cached cached = latest;
    if (cached != null && System.nanoTime() - cached.atNanos() < maxAge.toNanos()) {
      return cached.report();
    }
    synchronized (this) {
      cached = latest;
      if (cached != null && System.nanoTime() - cached.atNanos() < maxAge.toNanos()) {
        return cached.report();
      }
      HealthReport report = run();
      latest = new Cached(report, System.nanoTime());
      return report;
    }
  }

  private record Cached(HealthReport report, long atNanos) {}

  private volatile Cached latest;

  /** Runs every check now. */
  public HealthReport run() {
    List<HealthCheck> snapshot = List.copyOf(checks);
    List<Future<Timed>> futures = new ArrayList<>();
    List<HealthReport.ComponentHealth> results = new ArrayList<>();
    // Not try-with-resources: close() would wait for a probe that ignores interrupts.
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
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
