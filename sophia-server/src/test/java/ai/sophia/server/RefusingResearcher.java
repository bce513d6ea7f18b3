package ai.sophia.server;

import ai.sophia.research.ResearchProgress;
import ai.sophia.research.ResearchRequest;
import ai.sophia.research.ResearchResult;
import ai.sophia.research.Researcher;
import java.util.List;
import java.util.Optional;

/**
 * A researcher that fails the test when called: servers built with it prove that input is rejected
 * before research starts.
 */
final class RefusingResearcher implements Researcher {
  @Override
  public ResearchResult research(ResearchRequest request, ResearchProgress progress) {
    throw new AssertionError("research must not run for this request: " + request);
  }

  @Override
  public Optional<ResearchResult> find(String id) {
    throw new AssertionError("find must not run for this request: " + id);
  }

  @Override
  public List<MemoryHit> searchMemory(String query, int limit) {
    throw new AssertionError("memory search must not run for this request: " + query);
  }

  @Override
  public List<Summary> history(String containing, int limit) {
    throw new AssertionError("history must not run for this request: " + containing);
  }
}
