package ai.sophia.agent;

import java.util.List;
import java.util.Optional;

/** Agent sessions and their conversation history. */
public interface SessionStore {
  /** A session of one agent for one API key. */
  record Session(String id, String agent, String apiKeyId) {}

  /** One message of a conversation: {@code role} is user or assistant. */
  record Turn(String role, String content, int tokens) {}

  Session create(String agent, String apiKeyId);

  Optional<Session> find(String id);

  /** Appends the turns in order, in one transaction, and touches the session. */
  void append(String sessionId, List<Turn> turns);

  /** The newest turns of a session, newest first, at most {@code limit}. */
  List<Turn> recent(String sessionId, int limit);
}
