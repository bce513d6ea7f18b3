package ai.sophia.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.cache.ValueCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared level of a cache in a real Redis, read by a second connection as by a second node. */
class RedisCacheTest {
  record Note(String title, List<String> lines) {
    Note {
      java.util.Objects.requireNonNull(title, "title");
      lines = List.copyOf(lines);
    }
  }

  private static final ValueCodec<Note> CODEC = ValueCodec.json(Note.class, 1_000);

  @Test
  void get_putOnAnotherConnection_returnsTheValueUnderADigestOfItsId() {
    Map<String, String> env = TestRedis.shared().env();
    try (Redis a = TestRedis.connect(env);
        Redis b = TestRedis.connect(env)) {
      RedisCache<Note> onA = new RedisCache<>(a, "note", CODEC, 4_096, Duration.ofMinutes(5));
      RedisCache<Note> onB = new RedisCache<>(b, "note", CODEC, 4_096, Duration.ofMinutes(5));

      onA.put("secret question", new Note("t", List.of("one", "two")));

      assertThat(onB.get("secret question")).contains(new Note("t", List.of("one", "two")));
      assertThat(onB.hits()).isEqualTo(1);
      List<String> keys = a.call(c -> c.keys(a.key("note", "*")));
      assertThat(keys).hasSize(1).allSatisfy(k -> assertThat(k).doesNotContain("secret"));
      Long ttl = a.call(c -> c.pttl(keys.getFirst()));
      assertThat(ttl).isBetween(1L, Duration.ofMinutes(5).toMillis());
    }
  }

  @Test
  void get_corruptForeignOrOversizedValue_isAMiss() {
    Map<String, String> env = TestRedis.shared().env();
    try (Redis redis = TestRedis.connect(env)) {
      RedisCache<Note> cache = new RedisCache<>(redis, "note", CODEC, 64, Duration.ofMinutes(5));
      List<byte[]> strangers =
          List.of(
              "{\"title\":\"t\",\"lines\":[\"a\"".getBytes(StandardCharsets.UTF_8), // truncated
              "{\"title\":null,\"lines\":[]}".getBytes(StandardCharsets.UTF_8), // fails the record
              "{\"title\":\"t\",\"lines\":[],\"x\":1}".getBytes(StandardCharsets.UTF_8), // foreign
              new byte[] {(byte) 0xff, 0, 1, 2}, // not JSON at all
              ("{\"title\":\"" + "x".repeat(100) + "\",\"lines\":[]}")
                  .getBytes(StandardCharsets.UTF_8)); // longer than the cap
      for (byte[] stranger : strangers) {
        redis.call(c -> c.set(cache.key("id"), stranger));

        assertThat(cache.get("id")).isEmpty();
      }
      assertThat(cache.unreadable()).isEqualTo(strangers.size());
      assertThat(cache.hits()).isZero();
    }
  }

  @Test
  void getAndPut_redisGone_missWithoutThrowing() {
    TestRedis server = TestRedis.startPrivate();
    try (Redis redis = TestRedis.connect(server.env())) {
      RedisCache<Note> cache = new RedisCache<>(redis, "note", CODEC, 4_096, Duration.ofMinutes(5));
      server.stop();

      cache.put("id", new Note("t", List.of()));

      assertThat(cache.get("id")).isEmpty();
      assertThat(cache.misses()).isEqualTo(1);
    } finally {
      server.close();
    }
  }
}
