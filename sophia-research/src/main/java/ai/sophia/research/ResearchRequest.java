package ai.sophia.research;

import java.util.Objects;

/**
 * A validated research request (see {@link ResearchRequests} for the rules). {@code requestedBy} is
 * the id of the API key that asked ({@code ""} from the CLI), whose model budget pays for it;
 * {@code agent} is the agent whose tool call asked ({@code ""} when none did), so model usage is
 * counted against it.
 */
public record ResearchRequest(
    String query, int sourcesLimit, String searchEngine, String requestedBy, String agent) {
  public ResearchRequest {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(searchEngine, "searchEngine");
    Objects.requireNonNull(requestedBy, "requestedBy");
    Objects.requireNonNull(agent, "agent");
  }

  /** A request nobody in particular asked for (the CLI, benchmarks). */
  public ResearchRequest(String query, int sourcesLimit, String searchEngine) {
    this(query, sourcesLimit, searchEngine, "", "");
  }

  /** This request, asked by the API key {@code keyId}. */
  public ResearchRequest withRequestedBy(String keyId) {
    return new ResearchRequest(query, sourcesLimit, searchEngine, keyId, agent);
  }

  /**
   * This request, asked by {@code agentName}'s tool call on behalf of the API key {@code keyId}.
   */
  public ResearchRequest forAgent(String keyId, String agentName) {
    return new ResearchRequest(query, sourcesLimit, searchEngine, keyId, agentName);
  }
}
