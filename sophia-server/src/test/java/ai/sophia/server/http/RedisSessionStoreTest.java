package ai.sophia.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.error.UnavailableException;
import ai.sophia.redis.Redis;
import ai.sophia.redis.TestRedis;
import ai.sophia.security.ApiKey;
import ai.sophia.security.Role;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Sessions in a real Redis, seen from two nodes' stores. */
class RedisSessionStoreTest {
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
  private static final ApiKey KEY =
      new ApiKey("key-1", "ops", Role.user, "abcd1234", NOW.minusSeconds(60), Optional.empty());

  private static Redis connect(Map<String, String> env) {
    return Redis.connect(
        ConfigLoader.create(env).load(Optional.empty()).redis(), Secrets.create(env));
  }

  private static Session session(Duration ttl) {
    return new Session(KEY, "csrf-token", NOW, NOW.plus(ttl));
  }

  @Test
  void find_putOnNodeA_isFoundOnNodeBWithAnExpiry() {
    Map<String, String> env = TestRedis.shared().env();
    try (Redis a = connect(env);
        Redis b = connect(env)) {
      Session opened = session(Duration.ofMinutes(30));
      new RedisSessionStore(a).put("digest-1", opened);

      assertThat(new RedisSessionStore(b).find("digest-1")).contains(opened);
      long ttl = b.call(c -> c.pttl(b.key("session", "digest-1")));
      assertThat(ttl)
          .isBetween(Duration.ofMinutes(29).toMillis(), Duration.ofMinutes(30).toMillis());
      assertThat(new RedisSessionStore(b).find("digest-other")).isEmpty();
    }
  }

  @Test
  void removeForKey_onNodeB_endsTheSessionsNodeAOpened() {
    Map<String, String> env = TestRedis.shared().env();
    try (Redis a = connect(env);
        Redis b = connect(env)) {
      RedisSessionStore storeA = new RedisSessionStore(a);
      storeA.put("d1", session(Duration.ofMinutes(30)));
      storeA.put("d2", session(Duration.ofMinutes(30)));
      new RedisSessionStore(b).removeForKey(KEY.id());

      assertThat(storeA.find("d1")).isEmpty();
      assertThat(storeA.find("d2")).isEmpty();
    }
  }

  @Test
  void remove_signedOutOnNodeA_isGoneOnNodeB() {
    Map<String, String> env = TestRedis.shared().env();
    try (Redis a = connect(env);
        Redis b = connect(env)) {
      new RedisSessionStore(b).put("d", session(Duration.ofMinutes(5)));
      new RedisSessionStore(a).remove("d");

      assertThat(new RedisSessionStore(b).find("d")).isEmpty();
    }
  }

  @Test
  void find_redisGone_failsAs503SayingApiKeysStillWork() {
    try (TestRedis server = TestRedis.startPrivate();
        Redis redis = connect(server.env())) {
      RedisSessionStore store = new RedisSessionStore(redis);
      store.put("d", session(Duration.ofMinutes(5)));
      server.stop();

      assertThatThrownBy(() -> store.find("d"))
          .isInstanceOf(UnavailableException.class)
          .hasMessageContaining("dashboard sign-in is unavailable")
          .hasMessageContaining("API keys still work");
      // A revocation meanwhile is not an error: every node refuses a revoked key's sessions.
      store.removeForKey(KEY.id());
    }
  }
}
