package ai.sophia.research;

import java.util.Objects;

/** A validated research request (see {@link ResearchRequests} for the rules). */
public record ResearchRequest(String query, int sourcesLimit, String searchEngine) {
  public ResearchRequest {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(searchEngine, "searchEngine");
  }
}
