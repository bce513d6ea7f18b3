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

  public HealthReport run() {
    List<HealthCheck> snapshot = List.copyOf(checks);
    List<Future<HealthStatus>> futures = new ArrayList<>();
    List<HealthReport.ComponentHealth> results = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      long[] started = new long[snapshot.size()];
      for (int i = 0; i < snapshot.size(); i++) {
        HealthCheck check = snapshot.get(i);
        started[i] = System.nanoTime();
        futures.add(executor.submit(check::check));
      }
      for (int i = 0; i < snapshot.size(); i++) {
        HealthCheck check = snapshot.get(i);
        results.add(await(check, futures.get(i), started[i]));
      }
      executor.shutdownNow(); // abandon probes that overran; do not wait for them on close
    }
    HealthStatus.State overall = HealthStatus.State.up;
    for (var r : results) {
      if (r.status() == HealthStatus.State.down && r.critical()) {
        overall = HealthStatus.State.down;
      } else if (r.status() != HealthStatus.State.up && overall == HealthStatus.State.up) {
        overall = HealthStatus.State.degraded;
      }
    }
    return new HealthReport(overall, results);
  }

  private static HealthReport.ComponentHealth await(
      HealthCheck check, Future<HealthStatus> future, long startedNanos) {
    HealthStatus status;
    Duration timeout = check.timeout();
    long remaining = timeout.toNanos() - (System.nanoTime() - startedNanos);
    try {
      status = future.get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      status = HealthStatus.down("no answer within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      status = HealthStatus.down(cause.getClass().getSimpleName() + ": " + cause.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = HealthStatus.down("interrupted");
    }
    long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    return new HealthReport.ComponentHealth(
        check.name(), status.state(), status.detail(), latency, check.critical(), status.facts());
  }
}
