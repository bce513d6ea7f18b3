package ai.sophia.bench;

import ai.sophia.agent.Agent;
import ai.sophia.agent.AgentDefinition;
import ai.sophia.agent.AgentEvent;
import ai.sophia.agent.AgentRequest;
import ai.sophia.agent.AgentResult;
import ai.sophia.agent.AgentRun;
import ai.sophia.agent.RunStatus;
import ai.sophia.config.Secrets;
import ai.sophia.memory.SqlOperationsStore;
import ai.sophia.model.RoutingModelGateway;
import ai.sophia.model.SqlUsageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Many agent runs in flight at once: a real {@link ai.sophia.agent.AgentRuntime} with the real
 * {@link RoutingModelGateway} (usage into SQLite, runs, sessions and task executions into SQLite,
 * memories into Lucene) against a loopback OpenAI-compatible server that answers every chat
 * completion after {@code --delay-ms}. Starts {@code --runs} runs of one agent at once, waits for
 * all, and reports completion, latency, peak heap, peak threads and the peak number of model calls
 * in flight.
 *
 * <p>In flight: a run counts from its RunStarted event (its session created, its first progress
 * stored) until its ModelReplied (or RunFinished) event, i.e. while its model call is outstanding.
 */
public final class AgentLoad {
  private static final MemoryMXBean HEAP = ManagementFactory.getMemoryMXBean();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private AgentLoad() {}

  public static void main(String[] args) throws Exception {
    Flags flags =
        Flags.parse(args, Set.of("base-url", "runs", "delay-ms", "warmup", "max-seconds"));
    if (!flags.has("base-url")) {
      throw new BenchException("--base-url is required (bench/agent_load.sh starts the server)");
    }
    int runs = flags.integer("runs", 10_000, 1, 100_000);
    int delayMs = flags.integer("delay-ms", 2000, 0, 600_000);
    int warmup = flags.integer("warmup", 200, 0, 10_000);
    // Stop waiting after this long and report the runs still unfinished as such.
    int maxSeconds = flags.integer("max-seconds", 300, 1, 3600);
    Map<String, String> settings = new HashMap<>();
    settings.put("SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL", flags.text("base-url", ""));
    settings.put("SOPHIA_MODELS_DEFAULT_CHAIN", "openai_compatible:test-model");
    settings.put("SOPHIA_MODELS_TIMEOUT_MS", "120000");
    // One attempt: a failure is counted, not hidden behind a retry.
    settings.put("SOPHIA_MODELS_MAX_ATTEMPTS", "1");
    settings.put("SOPHIA_MODELS_CIRCUIT_FAILURE_THRESHOLD", "1000");
    settings.put("SOPHIA_AGENTS_TIMEOUT_MS", "600000");
    try (BenchAgents bench =
        new BenchAgents(
            settings,
            (config, db) ->
                RoutingModelGateway.create(
                    config.models(),
                    Secrets.create(Map.of()),
                    new SqlUsageStore(db),
                    new SqlOperationsStore(db),
                    new SimpleMeterRegistry()))) {
      Agent agent =
          bench.runtime.agent(
              new AgentDefinition(
                  "loader",
                  "research",
                  2,
                  "answers briefly",
                  List.of(),
                  "Answer in one sentence.",
                  List.of("memory_search"),
                  List.of(),
                  "loader"));
      if (warmup > 0) {
        Result w = wave(agent, warmup, maxSeconds);
        System.out.printf(
            Locale.ROOT,
            "warm-up: %d runs, %d succeeded, %.0f ms%n",
            warmup,
            w.succeeded,
            w.wallMs);
      }
      System.gc();
      int threadsBefore = THREADS.getThreadCount();
      long heapBefore = HEAP.getHeapMemoryUsage().getUsed();
      THREADS.resetPeakThreadCount();
      Result r = wave(agent, runs, maxSeconds);
      print(runs, delayMs, r, threadsBefore, heapBefore);
    }
  }

  private static final class Result {
    int succeeded;
    int unfinished;
    int failed;
    final Map<String, Integer> notes = new TreeMap<>();
    double wallMs;
    double startMs;
    double[] latencyMs;
    int peakInFlight;
    long peakHeap;
    int peakThreads;
    int peakCarriers;
    Map<String, Integer> threadGroupsAtPeak = Map.of();
  }

  private static Result wave(Agent agent, int n, int maxSeconds) throws InterruptedException {
    Result r = new Result();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    double[] latency = new double[n];
    CountDownLatch done = new CountDownLatch(n);
    Sampler sampler = new Sampler();
    Thread sampling = Thread.ofPlatform().name("bench-sampler").daemon().start(sampler);
    AtomicReferenceArray<CompletableFuture<AgentResult>> results = new AtomicReferenceArray<>(n);
    long t0 = System.nanoTime();
    // Each run is started by a caller of its own, as each API request is on its own virtual thread.
    try (var callers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        int slot = i;
        callers.submit(
            () -> {
              long started = System.nanoTime();
              AgentRun run;
              try {
                run = agent.start(AgentRequest.of("Question number " + slot + ": what is WAL?"));
              } catch (RuntimeException e) {
                results.set(slot, CompletableFuture.failedFuture(e)); // not accepted
                done.countDown();
                return null;
              }
              boolean[] counted = new boolean[1];
              run.subscribe(
                  event -> {
                    if (event instanceof AgentEvent.RunStarted) {
                      counted[0] = true;
                      peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    } else if ((event instanceof AgentEvent.ModelReplied
                            || event instanceof AgentEvent.RunFinished)
                        && counted[0]) {
                      counted[0] = false;
                      inFlight.decrementAndGet();
                    }
                  });
              results.set(
                  slot,
                  run.completion()
                      .whenComplete(
                          (result, error) -> {
                            latency[slot] = (System.nanoTime() - started) / 1e6;
                            done.countDown();
                          }));
              return null;
            });
      }
    }
    r.startMs = (System.nanoTime() - t0) / 1e6;
    long deadline = t0 + TimeUnit.SECONDS.toNanos(maxSeconds);
    while (!done.await(10, TimeUnit.SECONDS)) {
      System.err.printf(
          Locale.ROOT,
          "  %.0f s: %,d of %,d finished, %,d waiting on the model%n",
          (System.nanoTime() - t0) / 1e9,
          n - done.getCount(),
          n,
          inFlight.get());
      if (System.nanoTime() > deadline) {
        break;
      }
    }
    r.wallMs = (System.nanoTime() - t0) / 1e6;
    sampler.stop = true;
    sampling.join();
    List<Double> finished = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      CompletableFuture<AgentResult> completion = results.get(i);
      if (completion != null && completion.isCompletedExceptionally()) {
        r.failed++;
        r.notes.merge("not started: " + completion.exceptionNow(), 1, Integer::sum);
        continue;
      }
      AgentResult result = completion == null ? null : completion.getNow(null);
      if (result == null) {
        r.unfinished++;
        continue;
      }
      finished.add(latency[i]);
      if (result.status() == RunStatus.succeeded && result.mode().equals(AgentResult.MODE_MODEL)) {
        r.succeeded++;
      } else {
        r.failed++;
        String why = result.status() + " " + result.mode() + ": " + result.note();
        r.notes.merge(why.length() > 160 ? why.substring(0, 160) : why, 1, Integer::sum);
      }
    }
    r.latencyMs = finished.stream().mapToDouble(Double::doubleValue).toArray();
    r.peakInFlight = peak.get();
    r.peakHeap = sampler.peakHeap;
    r.peakThreads = Math.max(sampler.peakThreads, THREADS.getPeakThreadCount());
    r.peakCarriers = sampler.peakCarriers;
    r.threadGroupsAtPeak = sampler.groupsAtPeak;
    return r;
  }

  /** Samples the used heap and the platform threads (by name prefix) every 50 ms. */
  private static final class Sampler implements Runnable {
    volatile boolean stop;
    long peakHeap;
    int peakThreads;
    int peakCarriers;
    Map<String, Integer> groupsAtPeak = Map.of();

    @Override
    public void run() {
      while (!stop) {
        peakHeap = Math.max(peakHeap, HEAP.getHeapMemoryUsage().getUsed());
        ThreadInfo[] infos = THREADS.getThreadInfo(THREADS.getAllThreadIds(), 0);
        Map<String, Integer> groups = new TreeMap<>();
        int live = 0;
        for (ThreadInfo info : infos) {
          if (info != null) {
            live++;
            groups.merge(group(info.getThreadName()), 1, Integer::sum);
          }
        }
        peakCarriers = Math.max(peakCarriers, groups.getOrDefault("ForkJoinPool-*-worker-*", 0));
        if (live > peakThreads) {
          peakThreads = live;
          groupsAtPeak = groups;
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /**
     * A thread name without its numbers: {@code HttpClient-3-Worker-7} → {@code
     * HttpClient-*-Worker-*}.
     */
    private static String group(String name) {
      return name.replaceAll("\\d+", "*");
    }
  }

  private static void print(int runs, int delayMs, Result r, int threadsBefore, long heapBefore) {
    double p50 = r.latencyMs.length == 0 ? Double.NaN : Percentile.of(r.latencyMs, 0.50);
    double p95 = r.latencyMs.length == 0 ? Double.NaN : Percentile.of(r.latencyMs, 0.95);
    double p99 = r.latencyMs.length == 0 ? Double.NaN : Percentile.of(r.latencyMs, 0.99);
    double max = r.latencyMs.length == 0 ? Double.NaN : Percentile.of(r.latencyMs, 1.0);
    System.out.printf(
        Locale.ROOT,
        "runs %,d (model answers after %d ms), JVM %s, %d cores, heap max %,d MiB%n",
        runs,
        delayMs,
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    System.out.printf(
        Locale.ROOT,
        "completed %,d, failed %,d, unfinished %,d (stopped waiting at --max-seconds)%n",
        r.succeeded,
        r.failed,
        r.unfinished);

    r.notes.forEach((why, count) -> System.out.printf(Locale.ROOT, "  %,6d × %s%n", count, why));
    System.out.printf(
        Locale.ROOT,
        "wall %.0f ms (all %,d started in %.0f ms); latency of finished runs p50 %.0f, p95 %.0f, p99 %.0f, max %.0f ms%n",
        r.wallMs,
        runs,
        r.startMs,
        p50,
        p95,
        p99,
        max);
    System.out.printf(
        Locale.ROOT, "peak in flight (waiting on the model at once): %,d%n", r.peakInFlight);
    System.out.printf(
        Locale.ROOT,
        "heap used: %,d MiB before, peak %,d MiB (sampled every 50 ms, garbage included)%n",
        heapBefore >> 20,
        r.peakHeap >> 20);
    System.out.printf(
        Locale.ROOT,
        "platform threads: %d before, peak %d; virtual-thread carriers at most %d%n",
        threadsBefore,
        r.peakThreads,
        r.peakCarriers);
    System.out.println("  threads at the sampled peak, by name: " + r.threadGroupsAtPeak);
  }
}
