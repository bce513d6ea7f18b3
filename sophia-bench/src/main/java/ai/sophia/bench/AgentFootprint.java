package ai.sophia.bench;

import ai.sophia.agent.Agent;
import ai.sophia.agent.AgentDefinition;
import ai.sophia.agent.AgentRuntime;
import ai.sophia.model.ScriptedModelGateway;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Retained heap per agent: holds {@code --agents} agents in an array and divides the growth of the
 * used heap (after several full collections) by their number. Three variants: an agent of a shared
 * definition; an agent with its own definition (shared name string); an agent with its own
 * definition and its own name ("agent-123", as agents created by an API call would have).
 */
public final class AgentFootprint {
  private static final MemoryMXBean HEAP = ManagementFactory.getMemoryMXBean();

  private AgentFootprint() {}

  public static void main(String[] args) {
    Flags flags = Flags.parse(args, Set.of("agents"));
    int n = flags.integer("agents", 100_000, 1_000, 10_000_000);
    try (BenchAgents agents =
        new BenchAgents(Map.of(), (config, db) -> ScriptedModelGateway.create().available(false))) {
      AgentRuntime runtime = agents.runtime;
      AgentDefinition shared = AgentCreationBench.definition("reader");
      // Warm up so class loading and JIT data are not counted.
      for (int round = 0; round < 3; round++) {
        measure(n / 10, i -> runtime.agent(shared));
        measure(n / 10, i -> runtime.agent(AgentCreationBench.definition("agent-" + i)));
      }
      System.out.printf(
          Locale.ROOT,
          "agents held: %,d; JVM %s, heap max %,d MiB%n",
          n,
          Runtime.version(),
          Runtime.getRuntime().maxMemory() >> 20);
      report("agent of a shared definition", n, measure(n, i -> runtime.agent(shared)));
      report(
          "own definition, shared name",
          n,
          measure(n, i -> runtime.agent(AgentCreationBench.definition("reader"))));
      report(
          "own definition, own name",
          n,
          measure(n, i -> runtime.agent(AgentCreationBench.definition("agent-" + i))));
    }
  }

  private static void report(String variant, int n, long bytes) {
    System.out.printf(
        Locale.ROOT,
        "%-32s %8.1f bytes retained per agent (%,d bytes for %,d)%n",
        variant,
        (double) bytes / n,
        bytes,
        n);
  }

  /** Heap growth while {@code n} agents made by {@code make} are held. */
  private static long measure(int n, IntFunction<Agent> make) {
    long before = settledHeap();
    Agent[] held = new Agent[n];
    long arrayBytes = settledHeap() - before;
    for (int i = 0; i < n; i++) {
      held[i] = make.apply(i);
    }
    long after = settledHeap();
    long growth = after - before - arrayBytes;
    if (held[n - 1] == null) {
      throw new IllegalStateException("unreachable");
    }
    return growth;
  }

  private static long settledHeap() {
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return HEAP.getHeapMemoryUsage().getUsed();
  }
}
