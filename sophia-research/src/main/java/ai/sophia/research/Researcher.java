package ai.sophia.research;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Sophia's research capability, as the API and the CLI see it. */
public interface Researcher {
  /** Searches, fetches, ranks and answers with citations; stores the result. */
  ResearchResult research(ResearchRequest request, ResearchProgress progress);

  Optional<ResearchResult> find(String id);

  /** Semantic search over everything researched and ingested. */
  List<MemoryHit> searchMemory(String query, int limit);

  /**
   * Past research, newest first, at most {@code limit} (1 to 100), whose question contains {@code
   * containing} ignoring case ("" for all).
   */
  List<Summary> history(String containing, int limit);

  /** One past research as a list shows it; the whole result is {@link #find}'s. */
  record Summary(
      String id,
      String query,
      @JsonProperty("created_at") Instant createdAt,
      @JsonProperty("quality_score") double qualityScore,
      String confidence,
      String mode,
      @JsonProperty("search_engine") String searchEngine,
      @JsonProperty("sources_found") int sourcesFound) {}

  /** A passage from memory with where it came from. */
  record MemoryHit(
      String url,
      String title,
      String text,
      String collection,
      @JsonProperty("relevance_score") double relevanceScore) {}
}
