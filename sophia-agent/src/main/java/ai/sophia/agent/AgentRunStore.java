package ai.sophia.agent;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Agent runs as stored: what was asked, how it ended, and the transcript as JSON. */
public interface AgentRunStore {
  /** A run's row; {@code output} is {@code ""} until it has an answer. */
  record StoredRun(
      String id,
      String agent,
      String sessionId,
      String apiKeyId,
      RunStatus status,
      String mode,
      String input,
      String output,
      String transcriptJson,
      Instant createdAt,
      Instant updatedAt) {}

  /** Inserts or replaces the run's row. */
  void save(StoredRun run);

  Optional<StoredRun> find(String id);

  /** Newest first, at most {@code limit}. */
  List<StoredRun> recent(int limit);
}
