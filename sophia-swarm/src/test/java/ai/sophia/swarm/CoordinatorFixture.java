package ai.sophia.swarm;

import ai.sophia.agent.AgentRuntime;
import ai.sophia.config.SophiaConfig;
import ai.sophia.model.ScriptedModelGateway;
import ai.sophia.research.LoopbackResearch;
import ai.sophia.tool.CountingTool;
import ai.sophia.tool.Risk;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * A real coordinator for tests: agents on a real runtime (SQLite, Lucene, the ONNX embedder, the
 * loopback web of {@link LoopbackResearch}), the model replaced by {@link AgentsGateway}, counting
 * {@code commit} and {@code deploy} tools, and a durable engine over the same SQLite database.
 */
final class CoordinatorFixture implements AutoCloseable {
  static final String AGENTS =
      "agents:\n  definitions:\n    broken: {type: research}\n    flaky: {type: research}\n"
          + "    slow: {type: research}\n";
  private static LoopbackResearch world;

  final AgentsGateway model = new AgentsGateway();
  final CountingTool commits = new CountingTool("commit", Risk.write);
  final CountingTool deploys = new CountingTool("deploy", Risk.deploy);
  final LoopbackResearch.Stack stack;
  final AgentRuntime agents;
  final SophiaConfig.Swarm settings;
  SwarmEngine engine;
  SwarmCoordinator swarms;

  static synchronized LoopbackResearch world() {
    if (world == null) {
      world = LoopbackResearch.start();
    }
    return world;
  }

  CoordinatorFixture(Path dir, SophiaConfig.Swarm settings) {
    this.settings = settings;
    this.stack =
        world().open(dir, ScriptedModelGateway.create().available(false), AGENTS, Map.of());
    this.agents =
        AgentRuntime.builder()
            .config(stack.config())
            .gateway(model)
            .researcher(stack.research())
            .index(stack.index())
            .embedder(LoopbackResearch.EMBEDDER)
            .database(stack.db())
            .operations(stack.operations())
            .tool(commits)
            .tool(deploys)
            .build();
    open();
  }

  CoordinatorFixture(Path dir) {
    this(dir, new SophiaConfig.Swarm(20_000, 1, 120_000, 30, 0.8));
  }

  private void open() {
    engine = SwarmEngine.create(new SqlSwarmStore(stack.db()), settings, Clock.systemUTC());
    swarms = SwarmCoordinator.create(engine, agents, model, settings);
  }

  /** The engine stopped and a new one (and coordinator) over the same store: a restart. */
  void restart() {
    engine.close();
    open();
  }

  SwarmRun run(SwarmRequest request) {
    return engine.await(swarms.trigger(request, "key_1").id(), Duration.ofSeconds(30));
  }

  ObjectNode report(SwarmRun run) {
    return swarms.report(run);
  }

  @Override
  public void close() {
    engine.close();
    agents.close();
    stack.close();
  }
}
