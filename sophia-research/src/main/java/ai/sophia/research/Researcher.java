package ai.sophia.research;

import java.util.List;
import java.util.Optional;

/** Sophia's research capability, as the API and the CLI see it. */
public interface Researcher {
  /** Searches, fetches, ranks and answers with citations; stores the result. */
  ResearchResult research(ResearchRequest request, ResearchProgress progress);

  Optional<ResearchResult> find(String id);

  /** Semantic search over everything researched and ingested. */
  List<MemoryHit> searchMemory(String query, int limit);

  /** A passage from memory with where it came from. */
  record MemoryHit(
      String url,
      String title,
      String text,
      String collection,
      @com.fasterxml.jackson.annotation.JsonProperty("relevance_score") double relevanceScore) {}
}
