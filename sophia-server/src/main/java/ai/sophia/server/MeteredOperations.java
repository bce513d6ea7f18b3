package ai.sophia.server;

import ai.sophia.memory.OperationsStore;
import ai.sophia.memory.PerformanceMetric;
import ai.sophia.memory.TaskExecution;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The operations store, with every finished task also counted and timed in {@code
 * sophia_tasks_seconds} by operation ({@code agent.<name>}, {@code research}, code changes…) and
 * status: what the alert rules' agent completion rate and task latency read (ops/prometheus).
 */
final class MeteredOperations implements OperationsStore {
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(100),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(5),
    Duration.ofSeconds(30),
    Duration.ofMinutes(2),
    Duration.ofMinutes(10)
  };

  private record Series(String operation, String status) {}

  private final OperationsStore store;
  private final MeterRegistry registry;
  private final Map<Series, Timer> timers = new ConcurrentHashMap<>();

  MeteredOperations(OperationsStore store, MeterRegistry registry) {
    this.store = Objects.requireNonNull(store, "store");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public void recordTask(TaskExecution task) {
    store.recordTask(task);
    timers
        .computeIfAbsent(new Series(task.operation(), task.status()), this::timer)
        .record(Math.max(0, task.durationMs()), TimeUnit.MILLISECONDS);
  }

  private Timer timer(Series s) {
    return Timer.builder("sophia.tasks")
        .description("Finished tasks (agent runs, research, code changes) by operation and status")
        .tag("operation", s.operation())
        .tag("status", s.status())
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
  }

  @Override
  public void recordMetrics(List<PerformanceMetric> metrics) {
    store.recordMetrics(metrics);
  }

  @Override
  public List<TaskExecution> recentTasks(int limit) {
    return store.recentTasks(limit);
  }

  @Override
  public List<PerformanceMetric> recentMetrics(String name, int limit) {
    return store.recentMetrics(name, limit);
  }
}
