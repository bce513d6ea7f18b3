package ai.sophia.redis;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.ConfigException;
import ai.sophia.error.UnavailableException;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one connection to the Redis that several Sophia nodes share ({@code redis.url}), through
 * Lettuce: string keys under {@code redis.key_prefix}, byte values. Every command goes through
 * {@link #call}, which turns Redis being gone into an {@link UnavailableException} at once, so that
 * callers fall back (rate limits), refuse clearly (sessions) or recompute ({@link RedisCache})
 * instead of waiting.
 *
 * <p>Being gone, and coming back: while the connection is down Lettuce rejects commands immediately
 * and reconnects on its own, every {@value #RECONNECT_MAX_MS} ms at the latest; a server that
 * accepts but does not answer costs one command's {@code redis.timeout_ms}, after which calls fail
 * fast for {@value #PAUSE_MS} ms instead of each waiting out the timeout. When Redis is unreachable
 * at start, Sophia starts anyway and a background thread keeps trying to connect; a refused
 * password stops the start instead, since no retry will fix it.
 */
public final class Redis implements AutoCloseable {
  static final long RECONNECT_MAX_MS = 1_000;
  static final long PAUSE_MS = 1_000;

  private static final Logger log = LoggerFactory.getLogger(Redis.class);
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  /** The environment variable holding the Redis password. */
  public static final String PASSWORD_ENV = "SOPHIA_REDIS_PASSWORD";

  private final RedisURI uri;
  private final String prefix;
  private final ClientResources resources;
  private final RedisClient client;
  private final AtomicLong failures = new AtomicLong();
  private volatile StatefulRedisConnection<String, byte[]> connection;
  // Lettuce's isOpen() stays true while it reconnects; this follows the socket itself.
  private volatile boolean linked;
  private volatile long pausedUntilNanos = System.nanoTime();
  private volatile String lastFailure = "";
  private volatile boolean closed;

  private Redis(RedisURI uri, String prefix, Duration timeout) {
    this.uri = uri;
    this.prefix = prefix;
    this.resources =
        ClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(50),
                    Duration.ofMillis(RECONNECT_MAX_MS),
                    2,
                    TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            // Fail at once while disconnected: a queued command would hold its request until the
            // timeout, and rate limiting must fall back now, not after it.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .socketOptions(SocketOptions.builder().connectTimeout(timeout.multipliedBy(4)).build())
            .build());
    client.addListener(
        new RedisConnectionStateListener() {
          @Override
          public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
            linked = true;
          }

          @Override
          public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
            linked = false;
            lastFailure = "connection lost, reconnecting";
          }
        });
  }

  /**
   * Connects to {@code redis.url} with the password from {@value #PASSWORD_ENV} (or its {@code
   * _FILE}) or {@code redis.password_file}. An unreachable Redis is retried in the background.
   *
   * @throws ConfigException when Redis refuses the password (or needs one and none is set)
   */
  public static Redis connect(SophiaConfig.Redis settings, Secrets secrets) {
    Objects.requireNonNull(settings, "settings");
    RedisURI uri = RedisURI.create(settings.url().strip());
    Duration timeout = Duration.ofMillis(settings.timeoutMs());
    uri.setTimeout(timeout);
    secrets
        .get(PASSWORD_ENV)
        .or(() -> secrets.file(settings.passwordFile()))
        .ifPresent(
            password -> {
              if (settings.user() == null || settings.user().isBlank()) {
                uri.setAuthentication(password.toCharArray());
              } else {
                uri.setAuthentication(settings.user(), password.toCharArray());
              }
            });
    Redis redis = new Redis(uri, settings.keyPrefix(), timeout);
    try {
      redis.connection = redis.client.connect(CODEC);
      redis.linked = true;
      log.info("connected to Redis at {}", redis.describe());
    } catch (RedisException e) {
      String reason = reason(e);
      if (authFailure(reason)) {
        redis.close();
        throw new ConfigException(
            List.of(
                "Redis at "
                    + redis.describe()
                    + " refused the credentials ("
                    + reason
                    + "): check "
                    + PASSWORD_ENV
                    + ", redis.password_file and redis.user"));
      }
      redis.lastFailure = reason;
      log.warn(
          "Redis at {} is unreachable ({}); serving degraded until it answers",
          redis.describe(),
          reason);
      Thread.ofVirtual().name("redis-connect").start(redis::connectUntilUp);
    }
    return redis;
  }

  /** {@code parts} joined by {@code :} after {@code redis.key_prefix}. */
  public String key(String... parts) {
    return prefix + String.join(":", parts);
  }

  /** Host, port and database, never the password. */
  public String describe() {
    return uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
  }

  /** Whether commands can be sent now (connected and not paused after a timeout). */
  public boolean available() {
    StatefulRedisConnection<String, byte[]> c = connection;
    return c != null && linked && System.nanoTime() - pausedUntilNanos >= 0;
  }

  /**
   * Runs {@code command} on the shared connection.
   *
   * @throws UnavailableException at once when Redis is gone, or when the command fails or times out
   */
  public <T> T call(Function<RedisCommands<String, byte[]>, T> command) {
    StatefulRedisConnection<String, byte[]> c = connection;
    if (c == null || !linked) {
      throw unavailable(lastFailure.isEmpty() ? "not connected" : lastFailure);
    }
    if (System.nanoTime() - pausedUntilNanos < 0) {
      throw unavailable("paused after a failure: " + lastFailure);
    }
    try {
      return command.apply(c.sync());
    } catch (RedisException e) {
      failures.incrementAndGet();
      lastFailure = reason(e);
      pausedUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PAUSE_MS);
      throw unavailable(lastFailure);
    }
  }

  /**
   * Redis in {@code /health}: up with its version and round trip, or down saying what the nodes
   * lose meanwhile. Not critical: Sophia keeps answering without it.
   */
  public HealthCheck healthCheck() {
    return HealthCheck.of(
        "redis",
        Duration.ofSeconds(2),
        false,
        () -> {
          StatefulRedisConnection<String, byte[]> c = connection;
          if (c == null || !linked) {
            return HealthStatus.down(gone(lastFailure.isEmpty() ? "not connected" : lastFailure));
          }
          long started = System.nanoTime();
          try {
            // Straight to the connection, not through call(): the probe must see a recovery.
            c.sync().ping();
          } catch (RedisException e) {
            return HealthStatus.down(gone(reason(e)));
          }
          long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started);
          pausedUntilNanos = System.nanoTime();
          return HealthStatus.up(
              "redis at " + describe(),
              Map.of("round_trip_us", micros, "failed_commands", failures.get()));
        });
  }

  @Override
  public void close() {
    closed = true;
    StatefulRedisConnection<String, byte[]> c = connection;
    if (c != null) {
      c.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  private void connectUntilUp() {
    while (!closed && connection == null) {
      try {
        Thread.sleep(RECONNECT_MAX_MS);
        StatefulRedisConnection<String, byte[]> c = client.connect(CODEC);
        if (closed) {
          c.close();
          return;
        }
        linked = true;
        connection = c;
        log.info("connected to Redis at {}", describe());
      } catch (RedisException e) {
        lastFailure = reason(e);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // shut down while connecting
        return;
      }
    }
  }

  private UnavailableException unavailable(String reason) {
    return new UnavailableException("Redis at " + describe() + " is unavailable: " + reason);
  }

  private String gone(String reason) {
    return "unreachable at "
        + describe()
        + " ("
        + reason
        + "): rate limits hold per node only, dashboard sign-in is unavailable, query embeddings,"
        + " search results and fetched pages are not shared (each node computes its own)";
  }

  private static boolean authFailure(String reason) {
    String r = reason.toUpperCase(Locale.ROOT);
    return r.contains("WRONGPASS") || r.contains("NOAUTH") || r.contains("INVALID PASSWORD");
  }

  /** The innermost message: Lettuce wraps the server's own words in a generic one. */
  private static String reason(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        message = t.getMessage();
      }
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }
}
