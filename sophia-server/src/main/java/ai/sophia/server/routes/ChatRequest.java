package ai.sophia.server.routes;

import ai.sophia.research.ResearchRequest;
import ai.sophia.research.ResearchRequests;

/**
 * The body of {@code POST /api/v1/chat} as it arrives; its components are the only fields allowed.
 * Absent optional fields are null until {@link #validate} applies the defaults.
 */
record ChatRequest(String query, Integer sourcesLimit, String searchEngine) {
  ResearchRequest validate(String defaultEngine) {
    return ResearchRequests.validate(query, sourcesLimit, searchEngine, defaultEngine);
  }
}
