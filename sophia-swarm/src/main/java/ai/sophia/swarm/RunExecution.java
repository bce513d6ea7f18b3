package ai.sophia.swarm;

import ai.sophia.swarm.SwarmStore.RunChange;
import ai.sophia.swarm.SwarmStore.StepWrite;
import ai.sophia.tracing.TraceSpan;
import ai.sophia.tracing.Traces;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run executing in this engine, on its own virtual thread.
 *
 * <p>Design note — deterministic replay: the run always walks its graph from the start. A step
 * whose key has a committed final record (succeeded, failed branch, skipped) is not executed; its
 * stored output is merged into the state instead, so a resumed run rebuilds exactly the state it
 * had. Keys are stable across restarts because routers are pure functions of the state: {@code
 * name}, {@code name#n} for the n-th visit, {@code key[i]} for fan-out branches. The run stops
 * without writing anything when it waits for approval (a decision starts a new execution) or when
 * the engine closes (the next engine resumes it).
 */
final class RunExecution implements Runnable {
  private static final Logger logger = LoggerFactory.getLogger(RunExecution.class);

  /** Why a run stops before its end. */
  enum Stop {
    CANCELLED,
    DEADLINE
  }

  /** What a step (or a whole fan-out) came to. */
  sealed interface Outcome {
    record Done(JsonNode output) implements Outcome {}

    record Skipped(String reason) implements Outcome {}

    record Failed(String error) implements Outcome {}

    /** The run waits for a person, or was stopped, or the engine closed: the walk ends here. */
    record Halted() implements Outcome {}
  }

  final SwarmEngine engine;
  private final SwarmRun run;
  private final SwarmGraph graph;
  private final RunLog log;
  private final boolean resumed;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  final Map<Thread, AttemptContext> attempts = new ConcurrentHashMap<>();
  private volatile Stop stop;
  private volatile String stopBy = "";
  private volatile boolean abandoned;
  private final java.util.concurrent.CountDownLatch stopSignal =
      new java.util.concurrent.CountDownLatch(1);
  private Map<String, StepRecord> recorded = Map.of();
  private Map<String, JsonNode> approvals = Map.of();

  RunExecution(SwarmEngine engine, SwarmRun run, SwarmGraph graph, RunLog log, boolean resumed) {
    this.engine = engine;
    this.run = run;
    this.graph = graph;
    this.log = log;
    this.resumed = resumed;
  }

  String runId() {
    return run.id();
  }

  String requestedBy() {
    return run.requestedBy();
  }

  Instant deadline() {
    return run.deadline();
  }

  RunLog log() {
    return log;
  }

  Clock clock() {
    return engine.clock();
  }

  CompletableFuture<Void> done() {
    return done;
  }

  boolean stopping() {
    return stop != null || abandoned || !clock().instant().isBefore(run.deadline());
  }

  Optional<Stop> stop() {
    if (stop == null && !clock().instant().isBefore(run.deadline())) {
      stop = Stop.DEADLINE;
    }
    return Optional.ofNullable(stop);
  }

  boolean abandoned() {
    return abandoned;
  }

  void start() {
    // The run's thread continues the trace of the request that started or resumed it.
    Thread.ofVirtual().name("swarm-" + run.id()).start(Traces.wrap(this));
  }

  /** Asks the run to stop: running steps are interrupted, the run ends {@code why}. */
  void requestStop(Stop why, String by) {
    if (stop == null) {
      stopBy = by;
      stop = why;
    }
    interruptAll();
  }

  /** The engine closes: stop writing, leave the run for the next engine to resume. */
  void abandon() {
    abandoned = true;
    interruptAll();
  }

  // The run's own thread is not interrupted (an interrupt inside a store write would fail it):
  // it notices the stop at the next step, or now if it waits in a backoff.
  private void interruptAll() {
    attempts.keySet().forEach(Thread::interrupt);
    stopSignal.countDown();
  }

  /** Sleeps a backoff; false when the run was told to stop meanwhile. */
  boolean sleep(long millis) {
    try {
      return !stopSignal.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void run() {
    try (TraceSpan span = Traces.span("swarm.run", run.graph())) {
      span.set("sophia.swarm.run_id", run.id())
          .set("sophia.swarm.graph", run.graph())
          .set("sophia.swarm.resumed", resumed);
      walk();
    } catch (Throwable t) {
      if (!abandoned) {
        logger.warn("swarm run {} failed in the engine: {}", run.id(), t.toString());
        try {
          finish(SwarmStatus.failed, null, "the engine failed: " + t.getMessage());
        } catch (RuntimeException again) {
          // The store refuses this run's writes (another engine finished it): leave it as stored.
          logger.warn("swarm run {} could not be recorded failed: {}", run.id(), again.toString());
        }
      }
    } finally {
      engine.executionEnded(this);
      done.complete(null);
    }
  }

  /** The event's data with the trace this execution is part of, when it is traced. */
  private static ObjectNode withTrace(ObjectNode data) {
    String trace = Traces.traceId();
    return trace.isEmpty() ? data : data.put("trace_id", trace);
  }

  private void walk() {
    // A new run has nothing stored but its row: no reads on the hot path.
    SwarmRun stored = resumed ? engine.store().find(run.id()).orElseThrow() : run;
    recorded = new HashMap<>();
    for (StepRecord s : stored.steps()) {
      recorded.put(s.key(), s);
    }
    approvals = resumed ? engine.store().approvals(run.id()) : Map.of();
    ObjectNode state = run.input().deepCopy();
    if (!log.defer(
        Optional.of(new RunChange(SwarmStatus.running, stored.state(), "", Optional.empty())),
        List.of(),
        List.of(
            new RunLog.Draft(
                resumed ? "run_resumed" : "run_started",
                "",
                withTrace(
                    Json.object()
                        .put("graph", run.graph())
                        .put("steps_recorded", recorded.size())))))) {
      return;
    }
    Map<String, Integer> visits = new HashMap<>();
    String current = graph.start();
    while (!current.equals(SwarmGraph.END)) {
      if (abandoned) {
        return;
      }
      if (stop().isPresent()) {
        finishStopped(state);
        return;
      }
      int visit = visits.merge(current, 1, Integer::sum);
      if (visit > graph.maxVisits(current)) {
        finish(
            SwarmStatus.failed,
            state,
            "step '" + current + "' was visited more than " + graph.maxVisits(current) + " times");
        return;
      }
      String key = visit == 1 ? current : current + "#" + visit;
      SwarmGraph.Node node = graph.node(current);
      Outcome outcome = visitNode(node, key, state);
      switch (outcome) {
        case Outcome.Done d -> state = merge(state, d.output());
        case Outcome.Skipped s -> {}
        case Outcome.Failed f -> {
          finish(SwarmStatus.failed, state, "step '" + key + "' failed: " + f.error());
          return;
        }
        case Outcome.Halted h -> {
          if (!abandoned && stop().isPresent()) {
            finishStopped(state);
          }
          return;
        }
      }
      current = graph.next(current, state);
    }
    finish(SwarmStatus.succeeded, state, "");
  }

  private Outcome visitNode(SwarmGraph.Node node, String key, ObjectNode state) {
    StepRecord prior = recorded.get(key);
    if (prior != null) {
      switch (prior.status()) {
        case "succeeded" -> {
          return new Outcome.Done(prior.output());
        }
        case "skipped" -> {
          return new Outcome.Skipped(prior.error());
        }
        default -> {} // running (a crash interrupted it), waiting_approval, pending: go on
      }
    }
    StepPolicy policy = node.policy().orElse(engine.defaultPolicy());
    if (policy.needsApproval()) {
      JsonNode decision = approvals.get(key);
      if (decision == null) {
        return awaitApproval(node, key, prior, state);
      }
      if (!decision.path("granted").asBoolean()) {
        return new Outcome.Skipped(decision.path("reason").asText());
      }
    }
    return switch (node) {
      case SwarmGraph.Step s ->
          new StepAttempts(this, key, s.name(), policy, prior)
              .run(
                  s.function(), state, NullNode.getInstance(), output -> stateAfter(state, output));
      case SwarmGraph.FanOut f -> new FanOutRun(this, key, f, policy, recorded).run(state);
    };
  }

  private Outcome awaitApproval(
      SwarmGraph.Node node, String key, StepRecord prior, ObjectNode state) {
    if (prior == null || !prior.status().equals("waiting_approval")) {
      StepRecord waiting =
          new StepRecord(
              key,
              node.name(),
              "waiting_approval",
              0,
              Optional.empty(),
              Optional.empty(),
              NullNode.getInstance(),
              "");
      log.commit(
          Optional.of(new RunChange(SwarmStatus.waiting_approval, state, "", Optional.empty())),
          List.of(new StepWrite(waiting, NullNode.getInstance())),
          List.of(new RunLog.Draft("approval_required", key, Json.object().put("step", key))));
    } else {
      // Resumed while waiting: the run stays parked, as it was.
      log.commit(
          Optional.of(new RunChange(SwarmStatus.waiting_approval, state, "", Optional.empty())),
          List.of(),
          List.of());
    }
    engine.parked(run.id());
    return new Outcome.Halted();
  }

  /** The run's state after a step's output, as it will be committed with the step. */
  Optional<RunChange> stateAfter(ObjectNode state, JsonNode output) {
    return Optional.of(
        new RunChange(SwarmStatus.running, merge(state, output), "", Optional.empty()));
  }

  /** A copy of {@code state} with the output's fields merged by the graph's reducers. */
  ObjectNode merge(ObjectNode state, JsonNode output) {
    if (output == null || output.isNull() || output.isMissingNode()) {
      return state;
    }
    if (!output.isObject()) {
      throw new IllegalArgumentException(
          "a step's output must be a JSON object, not " + output.getNodeType());
    }
    ObjectNode next = state.deepCopy();
    output
        .fields()
        .forEachRemaining(
            f -> {
              JsonNode current = next.path(f.getKey());
              JsonNode merged =
                  graph
                      .reducer(f.getKey())
                      .merge(
                          current.isMissingNode() ? NullNode.getInstance() : current, f.getValue());
              next.set(f.getKey(), merged == null ? NullNode.getInstance() : merged);
            });
    return next;
  }

  static ArrayNode array() {
    return Json.MAPPER.createArrayNode();
  }

  private void finishStopped(ObjectNode state) {
    Stop why = stop().orElse(Stop.CANCELLED);
    if (why == Stop.CANCELLED) {
      finish(SwarmStatus.cancelled, state, "cancelled by " + (stopBy.isEmpty() ? "?" : stopBy));
    } else {
      finish(SwarmStatus.timed_out, state, "the run's deadline " + run.deadline() + " passed");
    }
  }

  /** Records the run's end and its last event; {@code state} null keeps the stored state. */
  void finish(SwarmStatus status, ObjectNode state, String error) {
    engine.finishRun(run, log, status, state, error);
  }
}
