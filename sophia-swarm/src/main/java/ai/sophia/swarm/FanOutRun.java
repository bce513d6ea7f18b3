package ai.sophia.swarm;

import ai.sophia.swarm.RunExecution.Outcome;
import ai.sophia.swarm.SwarmStore.StepWrite;
import ai.sophia.tracing.Traces;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fan-out: one branch per item, all at once on virtual threads, each with its own key {@code
 * key[i]}, attempts and checkpoint; the join waits for every branch and commits the list of
 * outcomes, in item order, as the step's output under its name. A failed branch is an outcome, not
 * a failure of the run. Resumed, branches already committed are not run again.
 */
final class FanOutRun {
  private final RunExecution run;
  private final String key;
  private final SwarmGraph.FanOut node;
  private final StepPolicy policy;
  private final Map<String, StepRecord> recorded;

  FanOutRun(
      RunExecution run,
      String key,
      SwarmGraph.FanOut node,
      StepPolicy policy,
      Map<String, StepRecord> recorded) {
    this.run = run;
    this.key = key;
    this.node = node;
    this.policy = policy;
    this.recorded = recorded;
  }

  Outcome run(ObjectNode state) {
    List<JsonNode> items;
    try {
      items = List.copyOf(node.items().apply(state));
    } catch (RuntimeException e) {
      return new Outcome.Failed("its items could not be picked from the state: " + e.getMessage());
    }
    Instant startedAt = run.clock().instant();
    long t0 = System.nanoTime();
    StepRecord prior = recorded.get(key);
    int attempt = prior == null ? 1 : prior.attempt() + 1;
    if (!write(
        "running",
        attempt,
        startedAt,
        null,
        NullNode.getInstance(),
        Optional.empty(),
        "step_started",
        Json.object().put("attempt", attempt).put("branches", items.size()))) {
      return new Outcome.Halted();
    }
    Outcome[] outcomes = new Outcome[items.size()];
    List<Thread> threads = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      int index = i;
      String branchKey = key + "[" + i + "]";
      StepRecord branchPrior = recorded.get(branchKey);
      if (branchPrior != null && branchPrior.status().equals("succeeded")) {
        outcomes[i] = new Outcome.Done(branchPrior.output());
        continue;
      }
      if (branchPrior != null && branchPrior.status().equals("failed")) {
        outcomes[i] = new Outcome.Failed(branchPrior.error());
        continue;
      }
      JsonNode item = items.get(i);
      threads.add(
          Thread.ofVirtual()
              .name("swarm-branch-" + branchKey)
              .start(
                  Traces.wrap(
                      () ->
                          outcomes[index] =
                              new StepAttempts(run, branchKey, node.name(), policy, branchPrior)
                                  .run(node.branch(), state, item, output -> Optional.empty()))));
    }
    for (Thread t : threads) {
      joinUninterruptibly(t);
    }
    if (run.abandoned() || run.stop().isPresent()) {
      return new Outcome.Halted();
    }
    ArrayNode list = RunExecution.array();
    for (int i = 0; i < items.size(); i++) {
      ObjectNode entry = list.addObject();
      entry.set("item", items.get(i));
      switch (outcomes[i]) {
        case Outcome.Done d -> {
          entry.put("status", "succeeded");
          entry.set("output", d.output());
        }
        case Outcome.Failed f -> {
          entry.put("status", "failed");
          entry.put("error", f.error());
        }
        case Outcome.Skipped s -> {
          entry.put("status", "skipped");
          entry.put("error", s.reason());
        }
        case Outcome.Halted h -> {
          return h;
        }
      }
    }
    ObjectNode output = Json.object();
    output.set(node.name(), list);
    Optional<SwarmStore.RunChange> change;
    try {
      change = run.stateAfter(state, output);
    } catch (RuntimeException e) {
      return new Outcome.Failed(e.getMessage());
    }
    long failed =
        list.valueStream().filter(e -> !e.path("status").asText().equals("succeeded")).count();
    boolean committed =
        write(
            "succeeded",
            attempt,
            startedAt,
            run.clock().instant(),
            output,
            change,
            "step_finished",
            Json.object()
                .put("attempt", attempt)
                .put("duration_ms", (System.nanoTime() - t0) / 1_000_000)
                .put("branches", items.size())
                .put("failed_branches", failed));
    return committed ? new Outcome.Done(output) : new Outcome.Halted();
  }

  private static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean write(
      String status,
      int attempt,
      Instant startedAt,
      Instant finishedAt,
      JsonNode output,
      Optional<SwarmStore.RunChange> change,
      String event,
      ObjectNode data) {
    StepRecord record =
        new StepRecord(
            key,
            node.name(),
            status,
            attempt,
            Optional.of(startedAt),
            Optional.ofNullable(finishedAt),
            output,
            "");
    return run.log()
        .commit(
            change,
            List.of(new StepWrite(record, NullNode.getInstance())),
            List.of(new RunLog.Draft(event, key, data)));
  }
}
