package ai.sophia.memory;

import java.util.List;

/** What Sophia did and how long it took: task executions and performance metrics. */
public interface OperationsStore {
  /** Records a task; a second record with the same id replaces the first. */
  void recordTask(TaskExecution task);

  /** Records all metrics in one batched transaction. */
  void recordMetrics(List<PerformanceMetric> metrics);

  /** Newest first, at most {@code limit}. */
  List<TaskExecution> recentTasks(int limit);

  /** The newest values of one metric, newest first, at most {@code limit}. */
  List<PerformanceMetric> recentMetrics(String name, int limit);
}
