package ai.sophia.memory;

import java.util.List;
import java.util.Optional;

/** Stored research results. The result itself is kept as JSON owned by the research module. */
public interface ResearchStore {
  void save(ResearchRecord record);

  Optional<ResearchRecord> find(String id);

  /**
   * Newest first, at most {@code limit}, only those whose question contains {@code containing}
   * (ignoring case; "" for all).
   */
  List<ResearchRecord> recent(String containing, int limit);

  long count();
}
