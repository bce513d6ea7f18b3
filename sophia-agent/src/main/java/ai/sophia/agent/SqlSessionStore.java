package ai.sophia.agent;

import ai.sophia.memory.Database;
import ai.sophia.memory.GroupCommit;
import ai.sophia.security.FieldCipher;
import ai.sophia.security.SealedColumns;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** {@link SessionStore} in the {@code agent_sessions} and {@code conversation_history} tables. */
public final class SqlSessionStore implements SessionStore {
  private final Database db;
  private final Clock clock;
  // Sessions opened and conversations appended by thousands of runs at once share one transaction
  // per batch instead of queueing one by one for the database's writer.
  private final GroupCommit<Write> writes;

  /** One queued write: a new session, or turns appended to one. */
  private sealed interface Write {}

  private record Create(Session session, long now) implements Write {}

  private record Append(String sessionId, List<Turn> turns, long now) implements Write {}

  public SqlSessionStore(Database db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.writes = new GroupCommit<>(db, this::writeAll);
  }

  @Override
  public Session create(String agent, String apiKeyId) {
    Session s = new Session(Ids.next("ses"), agent, apiKeyId);
    writes.write(new Create(s, clock.millis()));
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
    writes.write(new Append(sessionId, List.copyOf(turns), clock.millis()));
  }

  /** Applies the writes in their order: a session is created before turns are appended to it. */
  private void writeAll(Handle h, List<Write> all) {
    FieldCipher cipher = db.cipher();
    PreparedBatch sessions =
        h.prepareBatch(
            "INSERT INTO agent_sessions (id, agent, api_key_id, created_at, updated_at)"
                + " VALUES (:id, :agent, :key, :now, :now)");
    PreparedBatch turns =
        h.prepareBatch(
            "INSERT INTO conversation_history (session_id, role, content, tokens, created_at)"
                + " VALUES (:session, :role, :content, :tokens, :now)");
    PreparedBatch touched =
        h.prepareBatch("UPDATE agent_sessions SET updated_at = :now WHERE id = :id");
    for (Write w : all) {
      switch (w) {
        case Create c ->
            sessions
                .bind("id", c.session().id())
                .bind("agent", c.session().agent())
                .bind("key", c.session().apiKeyId())
                .bind("now", c.now())
                .add();
        case Append a -> {
          for (Turn t : a.turns()) {
            turns
                .bind("session", a.sessionId())
                .bind("role", t.role())
                .bind("content", cipher.seal(SealedColumns.CONVERSATION.id(), t.content()))
                .bind("tokens", t.tokens())
                .bind("now", a.now())
                .add();
          }
          touched.bind("now", a.now()).bind("id", a.sessionId()).add();
        }
      }
    }
    // Sessions first: the turns of a session created in this batch refer to it.
    for (PreparedBatch batch : List.of(sessions, turns, touched)) {
      if (batch.size() > 0) {
        batch.execute();
      }
    }
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
                            rs.getString("role"),
                            db.cipher()
                                .open(SealedColumns.CONVERSATION.id(), rs.getString("content")),
                            rs.getInt("tokens")))
                .list());
  }
}
