package ai.sophia.bench;

import ai.sophia.agent.AgentRequest;
import ai.sophia.agent.AgentRun;
import ai.sophia.agent.RunStatus;
import ai.sophia.model.ScriptedModelGateway;
import ai.sophia.swarm.SqlSwarmStore;
import ai.sophia.swarm.SwarmCoordinator;
import ai.sophia.swarm.SwarmEngine;
import ai.sophia.swarm.SwarmPattern;
import ai.sophia.swarm.SwarmRequest;
import ai.sophia.swarm.SwarmRun;
import ai.sophia.swarm.SwarmStatus;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code --runs} real swarms (default 1,000) triggered at once through the {@link SwarmCoordinator}
 * — task analysis, assignment, a fan-out of agent runs, aggregation and quality check, every step
 * committed to SQLite — whose agents do nothing worth timing: offline (no model), the {@code
 * analysis} agent over an empty index. Same-run baseline: the same agent runs (as many per swarm as
 * its plan has sub-tasks), all started at once and joined, with no coordinator and no engine.
 * Prints, per round, total time, swarms/s, p50/p99 latency from trigger to finish, and the median
 * coordination overhead each swarm reports ({@code swarm_performance}).
 */
public final class SwarmAgentLoad {
  private static final String TASK = "Summarize what is known about write-ahead logging";

  private SwarmAgentLoad() {}

  public static void main(String[] args) throws Exception {
    Flags flags = Flags.parse(args, Set.of("runs", "rounds"));
    int runs = flags.integer("runs", 1000, 1, 100_000);
    int rounds = flags.integer("rounds", 2, 1, 20);
    try (BenchAgents bench =
            new BenchAgents(Map.of(), (c, db) -> ScriptedModelGateway.create().available(false));
        SwarmEngine engine =
            SwarmEngine.create(
                new SqlSwarmStore(bench.db), bench.config.swarm(), Clock.systemUTC())) {
      SwarmCoordinator swarms =
          SwarmCoordinator.create(engine, bench.runtime, bench.gateway, bench.config.swarm());
      SwarmRequest request =
          SwarmRequest.of(TASK).withAgents(List.of("analysis")).withPattern(SwarmPattern.research);
      JsonNode plan =
          swarms
              .awaitReport(swarms.trigger(request, "").id(), Duration.ofMinutes(1))
              .path("plan")
              .path("subtasks");
      System.out.printf(
          "machine: %d cores; %d swarms at once, each planned as %d agent run(s); offline agents%n",
          Runtime.getRuntime().availableProcessors(), runs, plan.size());
      swarmRound("warm-up swarms", swarms, request, Math.min(runs, 100));
      agentRound("warm-up agents", bench, plan, Math.min(runs, 100));
      for (int r = 1; r <= rounds; r++) {
        swarmRound("swarms #" + r, swarms, request, runs);
        agentRound("agents only #" + r, bench, plan, runs);
      }
    }
  }

  private static void swarmRound(
      String label, SwarmCoordinator swarms, SwarmRequest request, int runs) throws Exception {
    double[] latencyMs = new double[runs];
    double[] overheadMs = new double[runs];
    AtomicInteger failed = new AtomicInteger();
    double totalS =
        AtOnce.run(
            runs,
            index -> {
              long started = System.nanoTime();
              SwarmRun run = swarms.trigger(request, "");
              SwarmRun done = swarms.engine().await(run.id(), Duration.ofMinutes(10));
              latencyMs[index] = (System.nanoTime() - started) / 1e6;
              overheadMs[index] =
                  swarms
                      .report(done)
                      .path("swarm_performance")
                      .path("coordination_overhead_ms")
                      .asDouble();
              if (done.status() != SwarmStatus.succeeded) {
                failed.incrementAndGet();
              }
            });
    System.out.printf(
        "%-18s %d swarms, %d not succeeded, total %.2f s, %.0f swarms/s, latency p50 %.0f ms,"
            + " p99 %.0f ms; coordination overhead per swarm p50 %.0f ms, p99 %.0f ms%n",
        label,
        runs,
        failed.get(),
        totalS,
        runs / totalS,
        Percentile.of(latencyMs, 0.50),
        Percentile.of(latencyMs, 0.99),
        Percentile.of(overheadMs, 0.50),
        Percentile.of(overheadMs, 0.99));
  }

  private static void agentRound(String label, BenchAgents bench, JsonNode plan, int runs)
      throws Exception {
    double[] latencyMs = new double[runs];
    AtomicInteger failed = new AtomicInteger();
    double totalS =
        AtOnce.run(
            runs,
            index -> {
              long started = System.nanoTime();
              List<AgentRun> running = new ArrayList<>();
              for (JsonNode t : plan) {
                running.add(
                    bench
                        .runtime
                        .agents()
                        .get(t.path("agent").asText())
                        .start(AgentRequest.of(t.path("task").asText())));
              }
              for (AgentRun run : running) {
                if (run.join().status() != RunStatus.succeeded) {
                  failed.incrementAndGet();
                }
              }
              latencyMs[index] = (System.nanoTime() - started) / 1e6;
            });
    System.out.printf(
        "%-18s %d groups, %d runs not succeeded, total %.2f s, %.0f groups/s, latency p50 %.0f ms,"
            + " p99 %.0f ms%n",
        label,
        runs,
        failed.get(),
        totalS,
        runs / totalS,
        Percentile.of(latencyMs, 0.50),
        Percentile.of(latencyMs, 0.99));
  }
}
