package ai.sophia.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.ConfigException;
import ai.sophia.error.UnavailableException;
import ai.sophia.health.HealthStatus;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Redis} against a real redis-server: commands, health, an outage and the way back. */
class RedisTest {
  private static SophiaConfig.Redis settings(Map<String, String> env) {
    return ConfigLoader.create(env).load(Optional.empty()).redis();
  }

  private static Redis connect(TestRedis server) {
    Map<String, String> env = server.env();
    return Redis.connect(settings(env), Secrets.create(env));
  }

  private static String ping(Redis redis) {
    return redis.call(c -> c.ping());
  }

  @Test
  void call_sharedServer_writesUnderThePrefixAndReportsUp() throws Exception {
    try (Redis redis = connect(TestRedis.shared())) {
      String key = redis.key("probe", "one");
      redis.call(c -> c.set(key, "v".getBytes(StandardCharsets.UTF_8)));

      assertThat(key).startsWith("t").endsWith(":probe:one");
      byte[] value = redis.call(c -> c.get(key));
      assertThat(new String(value, StandardCharsets.UTF_8)).isEqualTo("v");
      HealthStatus health = redis.healthCheck().check();
      assertThat(health.state()).isEqualTo(HealthStatus.State.up);
      assertThat(health.detail()).contains("127.0.0.1").doesNotContain(TestRedis.PASSWORD);
      assertThat(redis.healthCheck().critical()).isFalse();
    }
  }

  @Test
  void call_redisStoppedThenStarted_failsAtOnceThenReconnects() throws Exception {
    try (TestRedis server = TestRedis.startPrivate();
        Redis redis = connect(server)) {
      assertThat(ping(redis)).isEqualTo("PONG");

      server.stop();
      long started = System.nanoTime();
      assertThatThrownBy(() -> redis.call(c -> c.ping()))
          .isInstanceOf(UnavailableException.class)
          .hasMessageContaining("127.0.0.1:" + server.port())
          .hasMessageNotContaining(TestRedis.PASSWORD);
      // Fails at once, never waiting for Redis: the first try may spend one command timeout.
      assertThatThrownBy(() -> redis.call(c -> c.ping())).isInstanceOf(UnavailableException.class);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(1_000);
      HealthStatus down = redis.healthCheck().check();
      assertThat(down.state()).isEqualTo(HealthStatus.State.down);
      assertThat(down.detail()).contains("rate limits hold per node only");

      server.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!redis.available() || redis.healthCheck().check().state() != HealthStatus.State.up) {
        assertThat(System.nanoTime()).as("reconnected within 10 s").isLessThan(deadline);
        Thread.sleep(50);
      }
      assertThat(ping(redis)).isEqualTo("PONG");
    }
  }

  @Test
  void call_redisHangs_waitsOneTimeoutThenFailsFastUntilItAnswers() throws Exception {
    try (TestRedis server = TestRedis.startPrivate()) {
      Map<String, String> env = new HashMap<>(server.env());
      env.put("SOPHIA_REDIS_TIMEOUT_MS", "300");
      try (Redis redis = Redis.connect(settings(env), Secrets.create(env))) {
        assertThat(ping(redis)).isEqualTo("PONG");
        server.freeze();
        try {
          long started = System.nanoTime();
          assertThatThrownBy(() -> ping(redis)).isInstanceOf(UnavailableException.class);
          long first = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
          started = System.nanoTime();
          for (int i = 0; i < 100; i++) {
            assertThatThrownBy(() -> ping(redis)).isInstanceOf(UnavailableException.class);
          }
          long next = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

          assertThat(first).isBetween(250L, 2_000L);
          assertThat(next).as("100 calls while paused").isLessThan(250L);
          assertThat(redis.available()).isFalse();
        } finally {
          server.thaw();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (redis.healthCheck().check().state() != HealthStatus.State.up) {
          assertThat(System.nanoTime()).as("answers again within 10 s").isLessThan(deadline);
          Thread.sleep(100);
        }
        assertThat(ping(redis)).isEqualTo("PONG");
      }
    }
  }

  @Test
  void connect_redisNotYetRunning_startsDegradedAndConnectsWhenItComes() throws Exception {
    TestRedis server = TestRedis.startPrivate();
    try {
      server.stop();
      try (Redis redis = connect(server)) {
        assertThat(redis.available()).isFalse();
        assertThatThrownBy(() -> redis.call(c -> c.ping()))
            .isInstanceOf(UnavailableException.class);

        server.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!redis.available()) {
          assertThat(System.nanoTime()).as("connected within 10 s").isLessThan(deadline);
          Thread.sleep(50);
        }
        assertThat(ping(redis)).isEqualTo("PONG");
      }
    } finally {
      server.close();
    }
  }

  @Test
  void connect_wrongPassword_stopsTheStartNamingWhereToFixIt() {
    Map<String, String> env = new HashMap<>(TestRedis.shared().env());
    env.put("SOPHIA_REDIS_PASSWORD", "not-the-password");

    assertThatThrownBy(() -> Redis.connect(settings(env), Secrets.create(env)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SOPHIA_REDIS_PASSWORD")
        .hasMessageNotContaining("not-the-password");
  }

  @Test
  void load_redisUrlWithPassword_isRefused() {
    Map<String, String> env = Map.of("SOPHIA_REDIS_URL", "redis://:secret@127.0.0.1:6379");

    assertThatThrownBy(() -> ConfigLoader.create(env).load(Optional.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("redis.url must not carry a user or password");
  }

  @Test
  void load_redisUrlNotRedis_isRefused() {
    Map<String, String> env =
        Map.of("SOPHIA_REDIS_URL", "http://127.0.0.1:6379", "SOPHIA_REDIS_TIMEOUT_MS", "0");

    assertThatThrownBy(() -> ConfigLoader.create(env).load(Optional.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("redis.url must be a Redis URL")
        .hasMessageContaining("redis.timeout_ms");
  }
}
