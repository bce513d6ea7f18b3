package ai.sophia.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.SophiaConfig;
import ai.sophia.memory.SqliteDatabase;
import ai.sophia.security.ApiKey;
import ai.sophia.security.Role;
import ai.sophia.security.SqlApiKeyStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Session expiry, sliding and fixed, on a clock the test moves, over a real key store. */
class SessionsTest {
  @TempDir Path dir;
  private SqliteDatabase database;
  private SqlApiKeyStore keys;
  private ApiKey key;
  private final MovingClock clock = new MovingClock();

  @BeforeEach
  void open() {
    database = SqliteDatabase.open(dir);
    keys = new SqlApiKeyStore(database);
    key = keys.create("dash", Role.user).key();
  }

  @AfterEach
  void close() {
    database.close();
  }

  private Sessions sessions(boolean sliding) {
    return new Sessions(
        new InMemorySessionStore(),
        keys,
        new SophiaConfig.Session(30, sliding),
        Duration.ZERO,
        clock);
  }

  @Test
  void find_slidingSessionInUse_isRenewedButNotPastTheCap() {
    Sessions sessions = sessions(true);
    String id = sessions.open(key).id();

    Duration elapsed = Duration.ZERO;
    while (elapsed.plusMinutes(29).compareTo(Sessions.MAX_LIFETIME) < 0) {
      clock.advance(Duration.ofMinutes(29));
      elapsed = elapsed.plusMinutes(29);
      assertThat(sessions.find(id)).as("%s after sign-in", elapsed).isPresent();
    }
    clock.advance(Duration.ofMinutes(29));

    assertThat(sessions.find(id)).as("past 12 h after sign-in").isEmpty();
  }

  @Test
  void find_idleLongerThanTtl_hasEnded() {
    Sessions sessions = sessions(true);
    String id = sessions.open(key).id();

    clock.advance(Duration.ofMinutes(31));

    assertThat(sessions.find(id)).isEmpty();
  }

  @Test
  void find_fixedSession_endsTtlAfterSignInWhateverTheUse() {
    Sessions sessions = sessions(false);
    String id = sessions.open(key).id();

    clock.advance(Duration.ofMinutes(20));
    assertThat(sessions.find(id)).isPresent();
    clock.advance(Duration.ofMinutes(11));

    assertThat(sessions.find(id)).isEmpty();
  }

  @Test
  void find_keyRevokedElsewhere_endsTheSession() {
    Sessions sessions = sessions(true);
    String id = sessions.open(key).id();

    keys.revoke(key.id());

    assertThat(sessions.find(id)).isEmpty();
  }

  @Test
  void find_unknownOrOversizedId_isEmpty() {
    Sessions sessions = sessions(true);
    sessions.open(key);

    assertThat(sessions.find("nope")).isEmpty();
    assertThat(sessions.find("x".repeat(10_000))).isEmpty();
    assertThat(sessions.find("")).isEmpty();
  }

  /** A clock the test moves. */
  private static final class MovingClock implements InstantSource {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
