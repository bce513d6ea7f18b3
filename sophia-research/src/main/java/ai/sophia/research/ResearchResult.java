package ai.sophia.research;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The answer to a research request, in the wire shape of SPEC §2 ({@code POST /api/v1/chat}).
 * {@code answer} is null when no source was found: Sophia abstains rather than invent one. {@code
 * trace_id} names the trace of the request that made it (left out when it was not traced).
 */
public record ResearchResult(
    String id,
    String query,
    List<Source> sources,
    String answer,
    List<Citation> citations,
    Metadata metadata,
    @JsonProperty("research_quality_score") double researchQualityScore,
    String timestamp,
    @JsonProperty("trace_id") @JsonInclude(JsonInclude.Include.NON_EMPTY) String traceId) {
  /** Results kept before tracing existed have no trace id. */
  public ResearchResult {
    traceId = traceId == null ? "" : traceId;
  }

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
   * How the result was made: counts, the engine that served and every engine tried, mode ({@code
   * model} or {@code extractive}), per-stage timings, the quality components and the confidence
   * band of the score ({@code high}, {@code medium}, {@code low}), and the search results that
   * could not be used. {@code model} and {@code citationCheck} are null (and left out of the JSON)
   * when no model was asked.
   */
  public record Metadata(
      @JsonProperty("sources_found") int sourcesFound,
      @JsonProperty("search_engine") String searchEngine,
      @JsonProperty("requested_engine") String requestedEngine,
      @JsonProperty("engines_tried") List<EngineAttempt> enginesTried,
      String mode,
      @JsonProperty("timings_ms") Map<String, Long> timingsMs,
      @JsonProperty("quality") Map<String, Double> quality,
      String confidence,
      @JsonProperty("sources_skipped") List<String> sourcesSkipped,
      String note,
      @JsonInclude(JsonInclude.Include.NON_NULL) ModelUse model,
      @JsonProperty("citation_check") @JsonInclude(JsonInclude.Include.NON_NULL)
          CitationCheck citationCheck) {}

  /** Which model was asked to write the answer and what it cost, over every call made for it. */
  public record ModelUse(
      String name,
      @JsonProperty("input_tokens") long inputTokens,
      @JsonProperty("output_tokens") long outputTokens,
      @JsonProperty("cost_usd") double costUsd) {}

  /**
   * What checking the model's citations did to its last answer: {@code claims} it made, {@code
   * kept} and {@code dropped} (no cited source supports them), {@code repaired} (kept after losing
   * a citation to a missing or non-supporting source); {@code retried} when the model was asked a
   * second time with the problems, {@code rejected} when its answer was not used at all.
   */
  public record CitationCheck(
      int claims, int kept, int dropped, int repaired, boolean retried, boolean rejected) {}

  /** One provider tried for this request and what happened. */
  public record EngineAttempt(String engine, String outcome, String detail) {}
}
