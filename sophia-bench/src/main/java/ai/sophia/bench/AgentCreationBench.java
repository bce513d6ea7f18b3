package ai.sophia.bench;

import ai.sophia.agent.Agent;
import ai.sophia.agent.AgentDefinition;
import ai.sophia.model.ScriptedModelGateway;
import ai.sophia.tool.MemorySearchTool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Creating an agent with one tool, the way the issue counts it: a new {@link AgentDefinition}
 * (name, type, level, one tool) and {@code runtime.agent(definition)}; and an agent from a
 * definition shared by many agents. The runtime is real (SQLite, Lucene) and built once. Run with
 * {@code bench/agent_creation.sh}; {@code -prof gc} gives the bytes allocated per agent.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AgentCreationBench {
  static final List<String> ONE_TOOL = List.of(MemorySearchTool.NAME);

  private BenchAgents agents;
  private AgentDefinition shared;
  private String name;

  @Setup(Level.Trial)
  public void open() {
    agents =
        new BenchAgents(Map.of(), (config, db) -> ScriptedModelGateway.create().available(false));
    shared = definition("reader");
    name = "reader";
  }

  @TearDown(Level.Trial)
  public void close() {
    agents.close();
  }

  static AgentDefinition definition(String name) {
    return new AgentDefinition(name, "research", 2, "", List.of(), "", ONE_TOOL, List.of(), name);
  }

  /** A new definition and an agent of it: what an API call that creates an agent does. */
  @Benchmark
  public Agent definitionAndAgent() {
    return agents.runtime.agent(definition(name));
  }

  /** An agent of a definition many agents share (the configured agents, a swarm's workers). */
  @Benchmark
  public Agent agentFromSharedDefinition() {
    return agents.runtime.agent(shared);
  }
}
