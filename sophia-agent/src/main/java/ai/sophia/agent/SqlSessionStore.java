package ai.sophia.agent;

import ai.sophia.memory.Database;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link SessionStore} in the {@code agent_sessions} and {@code conversation_history} tables. */
public final class SqlSessionStore implements SessionStore {
  private final Database db;
  private final Clock clock;

  public SqlSessionStore(Database db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Session create(String agent, String apiKeyId) {
    Session s = new Session(Ids.next("ses"), agent, apiKeyId);
    long now = clock.millis();
    db.useHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO agent_sessions (id, agent, api_key_id, created_at, updated_at)"
                        + " VALUES (:id, :agent, :key, :now, :now)")
                .bind("id", s.id())
                .bind("agent", agent)
                .bind("key", apiKeyId)
                .bind("now", now)
                .execute());
    return s;
  }

  @Override
  public Optional<Session> find(String id) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT id, agent, api_key_id FROM agent_sessions WHERE id = :id LIMIT 1")
                .bind("id", id)
                .map(
                    (rs, ctx) ->
                        new Session(
                            rs.getString("id"), rs.getString("agent"), rs.getString("api_key_id")))
                .findOne());
  }

  @Override
  public void append(String sessionId, List<Turn> turns) {
    long now = clock.millis();
    db.useTransaction(
        h -> {
          var batch =
              h.prepareBatch(
                  "INSERT INTO conversation_history (session_id, role, content, tokens, created_at)"
                      + " VALUES (:session, :role, :content, :tokens, :now)");
          for (Turn t : turns) {
            batch
                .bind("session", sessionId)
                .bind("role", t.role())
                .bind("content", t.content())
                .bind("tokens", t.tokens())
                .bind("now", now)
                .add();
          }
          batch.execute();
          h.createUpdate("UPDATE agent_sessions SET updated_at = :now WHERE id = :id")
              .bind("now", now)
              .bind("id", sessionId)
              .execute();
        });
  }

  @Override
  public List<Turn> recent(String sessionId, int limit) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT role, content, tokens FROM conversation_history"
                        + " WHERE session_id = :session ORDER BY id DESC LIMIT :limit")
                .bind("session", sessionId)
                .bind("limit", Math.max(1, Math.min(limit, 1000)))
                .map(
                    (rs, ctx) ->
                        new Turn(
                            rs.getString("role"), rs.getString("content"), rs.getInt("tokens")))
                .list());
  }
}
