package ai.sophia.bench;

import ai.sophia.agent.AgentMemory;
import ai.sophia.embedding.Embedder;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.LuceneDocumentIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What one agent's memory recall costs as its memories grow: the recall each run makes to build its
 * context ({@link AgentMemory#recall}, three memories of the agent's scope), timed one at a time
 * over an index holding {@code n} memories of that scope and {@code n} of another, for each {@code
 * n} of {@code --memories}. Baseline in the same run and index: the same search over the whole
 * collection, unscoped ({@link DocumentIndex#search}). The embedder is the benchmarks' hash
 * embedder, as in {@code bench/agent_load.sh}, so what is timed is the index.
 */
public final class MemoryRecall {
  private static final int RECALLED = 3; // ContextBuilder's MEMORIES

  private MemoryRecall() {}

  public static void main(String[] args) throws Exception {
    Flags flags = Flags.parse(args, Set.of("memories", "queries"));
    List<String> sizes = flags.list("memories", "200,2000,20000");
    int queries = flags.integer("queries", 1000, 10, 100_000);
    Embedder embedder = new BenchAgents.HashEmbedder();
    System.out.printf(
        Locale.ROOT,
        "memory recall: %d recalls of %d per size, one at a time, %d cores, JVM %s%n",
        queries,
        RECALLED,
        Runtime.getRuntime().availableProcessors(),
        Runtime.version());
    System.out.println(
        "| memories in the scope | recall (folder term) p50 / p95 | url prefix p50 / p95 |"
            + " unscoped search p50 / p95 | recall ÷ unscoped (p50) | recall ÷ url prefix (p50) |");
    System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
    for (String size : sizes) {
      int n = Integer.parseInt(size.strip());
      try (ScratchDirectory dir = ScratchDirectory.create("sophia-bench-recall-");
          LuceneDocumentIndex index = LuceneDocumentIndex.open(dir.path(), embedder.model())) {
        AgentMemory memory = new AgentMemory(index, embedder);
        fill(memory, "loader", n);
        fill(memory, "other", n);
        double[] recall = new double[queries];
        double[] unscoped = new double[queries];
        double[] prefix = new double[queries];
        for (int round = 0; round < 2; round++) { // the first round warms the JIT
          for (int i = 0; i < queries; i++) {
            String q = "Question number " + (n + i) + ": what is WAL?";
            long t0 = System.nanoTime();
            int got = memory.recall("loader", q, RECALLED).size();
            long t1 = System.nanoTime();
            index.search(DocumentIndex.AGENT_MEMORIES, q, embedder.embedQuery(q), RECALLED);
            long t2 = System.nanoTime();
            // The filter recall had before folders: a prefix over every url of the scope (without
            // the trailing slash a prefix is not a folder; no other scope starts with "loader").
            index.searchUnder(
                DocumentIndex.AGENT_MEMORIES,
                "memory://loader",
                q,
                embedder.embedQuery(q),
                RECALLED);
            long t3 = System.nanoTime();
            prefix[i] = (t3 - t2) / 1e6;
            if (got != Math.min(RECALLED, n)) {
              throw new BenchException("recall found " + got + " memories of " + n);
            }
            recall[i] = (t1 - t0) / 1e6;
            unscoped[i] = (t2 - t1) / 1e6;
          }
        }
        double p50 = Percentile.of(recall, 0.50);
        double base = Percentile.of(unscoped, 0.50);
        System.out.printf(
            Locale.ROOT,
            "| %,d | %.3f / %.3f ms | %.3f / %.3f ms | %.3f / %.3f ms | %.2f× | %.2f× |%n",
            n,
            p50,
            Percentile.of(recall, 0.95),
            Percentile.of(prefix, 0.50),
            Percentile.of(prefix, 0.95),
            base,
            Percentile.of(unscoped, 0.95),
            p50 / base,
            p50 / Percentile.of(prefix, 0.50));
      }
    }
  }

  /** {@code n} memories in {@code scope}, written by 64 writers at once as runs end. */
  private static void fill(AgentMemory memory, String scope, int n) throws Exception {
    try (var writers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 64; w++) {
        int first = w;
        done.add(
            writers.submit(
                () -> {
                  for (int i = first; i < n; i += 64) {
                    memory.remember(
                        scope,
                        "run-" + i,
                        "Question number " + i + ": what is WAL?",
                        "The write-ahead log, answer " + i + ".");
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
  }
}
