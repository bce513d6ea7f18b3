package ai.sophia.bench;

import ai.sophia.embedding.OnnxEmbedder;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.ElasticsearchDocumentIndex;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.memory.TestElasticsearch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * {@code bench/retrieval.sh --backend elasticsearch}: the passages of the benchmark's Lucene index
 * copied into Elasticsearch (a {@link TestElasticsearch} node) and into a fresh Lucene index, the
 * same batches in both, timed; then every ranking asked of Elasticsearch too, so recall and query
 * latency of both backends come from one run on one corpus.
 */
final class BackendComparison {
  private static final int BATCH_DOCUMENTS = 50;

  private BackendComparison() {}

  static void run(
      Map<String, List<Question>> sets,
      Map<String, List<ModelRun>> runs,
      LuceneDocumentIndex source,
      OnnxEmbedder embedder,
      int chunks,
      Path scratch) {
    String model = embedder.model();
    SortedSet<String> keys = source.documentKeys();
    try (LuceneDocumentIndex lucene = LuceneDocumentIndex.open(scratch, model);
        ElasticsearchDocumentIndex es =
            TestElasticsearch.open("bench" + Integer.toHexString(model.hashCode()), model)) {
      double luceneRate = copy(source, lucene, keys);
      double esRate = copy(source, es, keys);
      System.out.printf(
          "%nIndex writes, %d documents, %d passages in batches of %d documents: Lucene %.0f"
              + " passages/s, Elasticsearch %.0f passages/s%n",
          keys.size(), chunks, BATCH_DOCUMENTS, luceneRate, esRate);
      sets.forEach(
          (set, questions) -> {
            for (ModelRun run :
                RetrievalEval.rankings(new RetrievalScorer(questions), es, embedder, chunks)) {
              runs.get(set)
                  .add(
                      new ModelRun(
                          run.ranking() + " (elasticsearch)",
                          run.model(),
                          run.scores(),
                          run.chunks(),
                          run.queryMillisMedian(),
                          run.queryMillisP95(),
                          run.ranks()));
            }
          });
    }
  }

  /** Copies every document in batches; passages written per second. */
  private static double copy(
      LuceneDocumentIndex source, DocumentIndex target, SortedSet<String> keys) {
    long nanos = 0;
    long written = 0;
    List<String> batch = new ArrayList<>();
    for (String key : keys) {
      batch.add(key);
      if (batch.size() == BATCH_DOCUMENTS || key.equals(keys.last())) {
        var chunks = source.chunksOf(batch);
        long start = System.nanoTime();
        target.replace(chunks);
        nanos += System.nanoTime() - start;
        written += chunks.size();
        batch.clear();
      }
    }
    return written / (nanos / 1e9);
  }
}
