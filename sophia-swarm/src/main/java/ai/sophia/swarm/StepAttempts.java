package ai.sophia.swarm;

import ai.sophia.swarm.RunExecution.Outcome;
import ai.sophia.swarm.SwarmStore.RunChange;
import ai.sophia.swarm.SwarmStore.StepWrite;
import ai.sophia.tracing.TraceSpan;
import ai.sophia.tracing.Traces;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The attempts of one step key: each recorded durably as started before it runs (so that after a
 * crash the engine knows it may have partly run), run on its own virtual thread under the step's
 * timeout, retried with exponential backoff and jitter, its result committed with the state after
 * it in one transaction.
 */
final class StepAttempts {
  /** How long an attempt that ignores its interrupt is waited for before the run goes on. */
  private static final Duration GRACE = Duration.ofSeconds(1);

  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /** How long a step may run before its deferred start is committed. */
  private static final Duration FLUSH_AFTER = Duration.ofMillis(50);

  private final RunExecution run;
  private final String key;
  private final String name;
  private final StepPolicy policy;
  private final StepRecord prior;

  StepAttempts(RunExecution run, String key, String name, StepPolicy policy, StepRecord prior) {
    this.run = run;
    this.key = key;
    this.name = name;
    this.policy = policy;
    this.prior = prior;
  }

  /**
   * Runs the attempts; {@code after} turns a successful output into the run change committed with
   * it (the new state), and may throw for an output it cannot take.
   */
  Outcome run(
      StepFunction function,
      JsonNode state,
      JsonNode item,
      Function<JsonNode, Optional<RunChange>> after) {
    try (TraceSpan span = Traces.span("swarm.step", name)) {
      span.set("sophia.swarm.run_id", run.runId()).set("sophia.swarm.step.key", key);
      Outcome outcome = attempts(function, state, item, after);
      span.set(
          "sophia.swarm.step.outcome",
          switch (outcome) {
            case Outcome.Done done -> "done";
            case Outcome.Skipped skipped -> "skipped";
            case Outcome.Failed failed -> "failed";
            case Outcome.Halted halted -> "halted";
          });
      if (outcome instanceof Outcome.Failed failed) {
        span.fail(failed.error());
      }
      return outcome;
    }
  }

  private Outcome attempts(
      StepFunction function,
      JsonNode state,
      JsonNode item,
      Function<JsonNode, Optional<RunChange>> after) {
    // A crash during attempt n: the next one is n + 1, with the same idempotency key, and there is
    // always at least one more so that the resumed run can make progress.
    boolean crashed = prior != null && prior.status().equals("running");
    int first = crashed ? prior.attempt() + 1 : 1;
    int last = Math.max(policy.maxAttempts(), first);
    Instant startedAt = run.clock().instant();
    String error = "";
    for (int attempt = first; attempt <= last; attempt++) {
      if (run.abandoned() || run.stop().isPresent()) {
        return new Outcome.Halted();
      }
      ObjectNode startData = Json.object().put("attempt", attempt);
      if (attempt == first && crashed) {
        startData.put("after_crash", true);
      }
      if (policy.sideEffects()) {
        startData.put("idempotency_key", run.runId() + "/" + key);
      }
      // A step with side effects is recorded as started before it runs, durably: after a crash
      // the engine then knows it may have partly run. Any other step's start is deferred and
      // shares the transaction of its result when it is quick (see attempt()).
      boolean durableStart = policy.sideEffects() || crashed;
      if (!write(
          durableStart,
          "running",
          attempt,
          startedAt,
          null,
          NullNode.getInstance(),
          error,
          Optional.empty(),
          "step_started",
          startData)) {
        return new Outcome.Halted();
      }
      AttemptContext context = new AttemptContext(run, key, state, item, attempt);
      long t0 = System.nanoTime();
      Result result = attempt(function, context);
      long durationMs = (System.nanoTime() - t0) / 1_000_000;
      if (run.abandoned()) {
        return new Outcome.Halted();
      }
      if (result.error == null) {
        Optional<RunChange> change;
        try {
          change = after.apply(result.output);
        } catch (RuntimeException e) {
          result = new Result(null, e.getMessage());
          change = Optional.empty();
        }
        if (result.error == null) {
          JsonNode output = result.output == null ? NullNode.getInstance() : result.output;
          boolean committed =
              write(
                  true,
                  "succeeded",
                  attempt,
                  startedAt,
                  run.clock().instant(),
                  output,
                  "",
                  change,
                  "step_finished",
                  Json.object().put("attempt", attempt).put("duration_ms", durationMs));
          return committed ? new Outcome.Done(output) : new Outcome.Halted();
        }
      }
      error = result.error;
      if (run.stop().isPresent()) {
        return new Outcome.Halted();
      }
      if (attempt < last) {
        long backoff = backoffMs(attempt);
        if (!write(
            true,
            "running",
            attempt,
            startedAt,
            null,
            NullNode.getInstance(),
            error,
            Optional.empty(),
            "step_retrying",
            Json.object().put("attempt", attempt).put("error", error).put("backoff_ms", backoff))) {
          return new Outcome.Halted();
        }
        if (!run.sleep(backoff)) {
          return new Outcome.Halted();
        }
      } else {
        boolean committed =
            write(
                true,
                "failed",
                attempt,
                startedAt,
                run.clock().instant(),
                NullNode.getInstance(),
                error,
                Optional.empty(),
                "step_failed",
                Json.object()
                    .put("attempt", attempt)
                    .put("error", error)
                    .put("duration_ms", durationMs));
        return committed ? new Outcome.Failed(error) : new Outcome.Halted();
      }
    }
    return new Outcome.Failed(error);
  }

  private long backoffMs(int attempt) {
    long base = policy.backoff().toMillis();
    long exp = Math.min(MAX_BACKOFF.toMillis(), base << Math.min(20, attempt - 1));
    // Jitter: between half and all of the exponential delay, so that retries of many runs spread.
    return exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1);
  }

  private record Result(JsonNode output, String error) {}

  private Result attempt(StepFunction function, AttemptContext context) {
    Result[] box = new Result[1];
    Thread worker =
        Thread.ofVirtual()
            .name("swarm-step-" + key)
            .unstarted(
                Traces.wrap(
                    () -> {
                      try {
                        box[0] = new Result(function.run(context), null);
                      } catch (InterruptedException e) {
                        box[0] = new Result(null, "interrupted");
                      } catch (Exception | StackOverflowError e) {
                        String message = e.getMessage();
                        box[0] =
                            new Result(
                                null,
                                e.getClass().getSimpleName()
                                    + (message == null ? "" : ": " + message));
                      }
                    }));
    run.attempts.put(worker, context);
    try {
      worker.start();
      Duration timeout = policy.timeout();
      Duration left = Duration.between(run.clock().instant(), run.deadline());
      boolean deadlineFirst = left.compareTo(timeout) < 0;
      Duration wait = deadlineFirst ? (left.isNegative() ? Duration.ZERO : left) : timeout;
      // A quick step's start goes out with its result; a longer one's is committed after
      // FLUSH_AFTER, so that its progress shows while it runs.
      Duration first = wait.compareTo(FLUSH_AFTER) < 0 ? wait : FLUSH_AFTER;
      boolean finished = join(worker, first);
      if (!finished && !run.abandoned()) {
        run.log().flush();
        finished = join(worker, wait.minus(first));
      }
      if (!finished) {
        context.timedOut();
        worker.interrupt();
        join(worker, GRACE);
        if (run.stop().isPresent() || run.abandoned()) {
          return new Result(null, "stopped");
        }
        return new Result(null, "timed out after " + timeout.toMillis() + " ms");
      }
      Result r = box[0];
      return r != null ? r : new Result(null, "the step ended without a result");
    } finally {
      run.attempts.remove(worker);
    }
  }

  /** Joins; false when {@code wait} passed first or the waiting thread was interrupted. */
  private static boolean join(Thread worker, Duration wait) {
    try {
      return worker.join(wait);
    } catch (InterruptedException e) {
      return false;
    }
  }

  private boolean write(
      boolean now,
      String status,
      int attempt,
      Instant startedAt,
      Instant finishedAt,
      JsonNode output,
      String error,
      Optional<RunChange> change,
      String event,
      ObjectNode data) {
    StepRecord record =
        new StepRecord(
            key,
            name,
            status,
            attempt,
            Optional.of(startedAt),
            Optional.ofNullable(finishedAt),
            output,
            error == null ? "" : error);
    List<StepWrite> steps = List.of(new StepWrite(record, NullNode.getInstance()));
    List<RunLog.Draft> drafts = List.of(new RunLog.Draft(event, key, data));
    return now ? run.log().commit(change, steps, drafts) : run.log().defer(change, steps, drafts);
  }
}
