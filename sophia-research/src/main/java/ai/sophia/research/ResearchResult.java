package ai.sophia.research;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The answer to a research request, in the wire shape of SPEC §2 ({@code POST /api/v1/chat}).
 * {@code answer} is null when no source was found: Sophia abstains rather than invent one.
 */
public record ResearchResult(
    String id,
    String query,
    List<Source> sources,
    String answer,
    List<Citation> citations,
    Metadata metadata,
    @JsonProperty("research_quality_score") double researchQualityScore,
    String timestamp) {

  /** A fetched source; {@code index} is the n of its [n] citations. */
  public record Source(
      int index,
      String url,
      String title,
      String summary,
      @JsonProperty("relevance_score") double relevanceScore,
      String source,
      @JsonProperty("published_date") String publishedDate) {}

  /** One [n] marker used in the answer, pointing at a fetched source. */
  public record Citation(int index, String url, String title) {}

  /**
   * How the result was made: counts, the engine that served and every engine tried, mode, per-stage
   * timings, the quality components, and the search results that could not be used.
   */
  public record Metadata(
      @JsonProperty("sources_found") int sourcesFound,
      @JsonProperty("search_engine") String searchEngine,
      @JsonProperty("requested_engine") String requestedEngine,
      @JsonProperty("engines_tried") List<EngineAttempt> enginesTried,
      String mode,
      @JsonProperty("timings_ms") Map<String, Long> timingsMs,
      @JsonProperty("quality") Map<String, Double> quality,
      @JsonProperty("sources_skipped") List<String> sourcesSkipped,
      String note) {}

  /** One provider tried for this request and what happened. */
  public record EngineAttempt(String engine, String outcome, String detail) {}
}
