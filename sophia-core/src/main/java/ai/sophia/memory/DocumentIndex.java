package ai.sophia.memory;

import java.util.List;

/**
 * The full-text and vector index over chunks: {@link LuceneDocumentIndex} embedded in the data
 * directory (the default) or {@link ElasticsearchDocumentIndex} shared by several nodes.
 * Collections keep unrelated memories apart: {@code documents}, {@code research_data}, later {@code
 * agent_memories} and {@code code_knowledge}.
 */
public interface DocumentIndex extends AutoCloseable {
  /** Sites and files an operator ingested: what the {@code local} engine searches. */
  String DOCUMENTS = "documents";

  /** Pages fetched while researching: remembered for memory search and later research. */
  String RESEARCH_DATA = "research_data";

  /**
   * What agents remember of their finished runs. Each memory's url is {@code memory://<scope>/<run
   * id>}, so {@link #searchUnder} with {@code memory://<scope>/} keeps one memory scope's memories
   * apart from every other's.
   */
  String AGENT_MEMORIES = "agent_memories";

  /** Replaces all chunks of each (collection, url) present in {@code chunks}; commits. */
  void replace(List<Chunk> chunks);

  /** Removes every chunk of a document; commits. */
  void delete(String collection, String url);

  /**
   * Hybrid search: BM25 on {@code queryText} and nearest neighbours of {@code queryVector}, fused
   * into one list, best first, at most {@code limit}.
   */
  List<ChunkHit> search(String collection, String queryText, float[] queryVector, int limit);

  /**
   * Hybrid search restricted to the chunks of the given documents: how research ranks the pages it
   * has just gathered.
   */
  List<ChunkHit> searchWithin(
      String collection,
      java.util.Set<String> urls,
      String queryText,
      float[] queryVector,
      int limit);

  /**
   * Hybrid search restricted to the documents whose url starts with {@code urlPrefix}: how an agent
   * searches only its own memory scope.
   */
  List<ChunkHit> searchUnder(
      String collection, String urlPrefix, String queryText, float[] queryVector, int limit);

  /**
   * Page-level hybrid search: whole-page BM25, passage BM25 and passage embeddings fused per page
   * ({@link PageFusion}), best page first, at most {@code limit}, each with its passages best
   * first. {@code urls} restricts the search to those documents; empty means the whole collection.
   * This is how the {@code local} engine and research rank.
   */
  List<PageHit> searchPages(
      String collection,
      java.util.Set<String> urls,
      String queryText,
      float[] queryVector,
      int limit);

  /** Plain BM25 only (the retrieval baseline, and a fallback). */
  List<ChunkHit> searchText(String collection, String queryText, int limit);

  long count(String collection);

  /** Health of the index for {@code /health}; never throws for an unreachable backend. */
  ai.sophia.health.HealthCheck healthCheck();

  @Override
  void close();
}
