package ai.sophia.bench;

import ai.sophia.agent.AgentRuntime;
import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.embedding.Embedder;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.memory.SqlOperationsStore;
import ai.sophia.memory.SqliteDatabase;
import ai.sophia.model.ModelGateway;
import ai.sophia.research.ResearchProgress;
import ai.sophia.research.ResearchRequest;
import ai.sophia.research.ResearchResult;
import ai.sophia.research.Researcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A real {@link AgentRuntime} for the agent benchmarks: SQLite and Lucene in a scratch directory,
 * the model gateway the caller builds over that database. Research is never called by these
 * benchmarks (a stub that refuses); the embedder is {@link HashEmbedder} so that what is measured
 * is the runtime, the gateway and the stores, not ONNX inference (measured in "Embedding speed").
 */
final class BenchAgents implements AutoCloseable {
  final ScratchDirectory dir;
  final SophiaConfig config;
  final SqliteDatabase db;
  final LuceneDocumentIndex index;
  final SqlOperationsStore operations;
  final ModelGateway gateway;
  final AgentRuntime runtime;

  /** {@code settings}: configuration as environment variables ({@code SOPHIA_…}). */
  BenchAgents(
      Map<String, String> settings,
      BiFunction<SophiaConfig, SqliteDatabase, ModelGateway> gatewayFactory) {
    dir = ScratchDirectory.create("sophia-agent-bench");
    Map<String, String> env = new HashMap<>(settings);
    env.put("SOPHIA_DATA_DIR", dir.path().toString());
    config = ConfigLoader.create(env).load(Optional.empty());
    db = SqliteDatabase.open(dir.path());
    Embedder embedder = new HashEmbedder();
    index = LuceneDocumentIndex.open(dir.path(), embedder.model());
    operations = new SqlOperationsStore(db);
    gateway = gatewayFactory.apply(config, db);
    runtime =
        AgentRuntime.builder()
            .config(config)
            .gateway(gateway)
            .researcher(new NoResearch())
            .index(index)
            .embedder(embedder)
            .database(db)
            .operations(operations)
            .build();
  }

  Path dataDir() {
    return dir.path();
  }

  @Override
  public void close() {
    runtime.close();
    index.close();
    db.close();
    dir.close();
  }

  /** Research is not what these benchmarks measure. */
  private static final class NoResearch implements Researcher {
    @Override
    public ResearchResult research(ResearchRequest request, ResearchProgress progress) {
      throw new UnsupportedOperationException("research is not part of the agent benchmarks");
    }

    @Override
    public Optional<ResearchResult> find(String id) {
      return Optional.empty();
    }

    @Override
    public List<MemoryHit> searchMemory(String query, int limit) {
      return List.of();
    }

    @Override
    public List<Summary> history(String containing, int limit) {
      return List.of();
    }
  }

  /**
   * A 384-dimension embedder that hashes words into buckets: microseconds per text, deterministic,
   * normalized. Stands in for ONNX so the load figures are the runtime's own.
   */
  static final class HashEmbedder implements Embedder {
    private static final int DIMENSION = 384;

    @Override
    public String model() {
      return "bench-hash-384";
    }

    @Override
    public int dimension() {
      return DIMENSION;
    }

    @Override
    public float[] embedQuery(String query) {
      float[] v = new float[DIMENSION];
      for (String word : query.toLowerCase(java.util.Locale.ROOT).split("\\W+")) {
        if (!word.isEmpty()) {
          v[Math.floorMod(word.hashCode(), DIMENSION)] += 1;
        }
      }
      double norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      if (norm == 0) {
        v[0] = 1;
        return v;
      }
      float scale = (float) (1 / Math.sqrt(norm));
      for (int i = 0; i < DIMENSION; i++) {
        v[i] *= scale;
      }
      return v;
    }

    @Override
    public List<float[]> embedPassages(List<String> passages) {
      List<float[]> out = new ArrayList<>(passages.size());
      for (String p : passages) {
        out.add(embedQuery(p));
      }
      return out;
    }
  }
}
