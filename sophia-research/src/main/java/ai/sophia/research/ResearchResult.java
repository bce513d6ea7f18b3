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

  /** How the result was made: counts, engine that served, mode, per-stage timings. */
  public record Metadata(
      @JsonProperty("sources_found") int sourcesFound,
      @JsonProperty("search_engine") String searchEngine,
      @JsonProperty("requested_engine") String requestedEngine,
      @JsonProperty("engines_tried") List<EngineAttempt> enginesTried,
      String mode,
      @JsonProperty("timings_ms") Map<String, Long> timingsMs,
      @JsonProperty("quality") Map<String, Double> quality,
      String note) {}

  /** One provider tried for this request and what happened. */
  public record EngineAttempt(String engine, String outcome, String detail) {}
}
