package ai.sophia.research;

import ai.sophia.error.InvalidInputException;
import java.util.List;

/** The rules every research request obeys, whether it came over HTTP, MCP or the CLI. */
public final class ResearchRequests {
  public static final int MAX_QUERY_CHARS = 1000;
  public static final int MIN_SOURCES = 1;
  public static final int MAX_SOURCES = 20;
  public static final int DEFAULT_SOURCES = 3;
  public static final List<String> ENGINES =
      List.of("duckduckgo", "searxng", "serper", "brave", "tavily", "local");

  private ResearchRequests() {}

  /**
   * Validates and normalizes a request. {@code sourcesLimit} and {@code engine} may be null for
   * their defaults.
   *
   * @throws InvalidInputException naming the field at fault
   */
  public static ResearchRequest validate(
      String query, Integer sourcesLimit, String engine, String defaultEngine) {
    if (query == null) {
      throw new InvalidInputException("query", "query is required");
    }
    String q = query.strip();
    if (q.isEmpty()) {
      throw new InvalidInputException("query", "query must not be empty");
    }
    if (q.length() > MAX_QUERY_CHARS) {
      throw new InvalidInputException(
          "query", "query is " + q.length() + " characters; the limit is " + MAX_QUERY_CHARS);
    }
    searchable("query", q);
    int limit = sourcesLimit == null ? DEFAULT_SOURCES : sourcesLimit;
    if (limit < MIN_SOURCES || limit > MAX_SOURCES) {
      throw new InvalidInputException(
          "sources_limit",
          "sources_limit is "
              + limit
              + " but must be between "
              + MIN_SOURCES
              + " and "
              + MAX_SOURCES);
    }
    String e = engine == null ? defaultEngine : engine.strip().toLowerCase(java.util.Locale.ROOT);
    if (!ENGINES.contains(e)) {
      throw new InvalidInputException(
          "search_engine", "unknown search_engine '" + engine + "'; use one of " + ENGINES);
    }
    return new ResearchRequest(q, limit, e);
  }

  /**
   * The one rule for what can be searched: text with at least one letter or digit. Zero-width,
   * control, invalid and punctuation characters leave the index and the embedder nothing to match,
   * so text made only of them is refused rather than searched.
   *
   * @return {@code text}, unchanged
   * @throws InvalidInputException naming {@code field}
   */
  public static String searchable(String field, String text) {
    if (text.codePoints().noneMatch(Character::isLetterOrDigit)) {
      throw new InvalidInputException(
          field, field + " has no searchable words: it needs at least one letter or digit");
    }
    return text;
  }
}
