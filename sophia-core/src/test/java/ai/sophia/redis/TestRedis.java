package ai.sophia.redis;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.testing.TestServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis 7 ({@code redis-server}) for the tests. {@link #shared()} is one per build, like
 * {@code TestPostgres}: the first test JVM that asks starts it on a free loopback port in a folder
 * under the temporary directory named after the project, the JVMs after it find it there (a file
 * lock keeps two from starting it at once); every JVM using it touches a heartbeat file, and a
 * watchdog started with the server stops it and deletes its folder once the heartbeat is {@value
 * #IDLE_SECONDS} s old. {@link #startPrivate()} starts one for a single test, which may {@link
 * #stop()} and {@link #start()} it again on the same port; it dies with the JVM at the latest.
 *
 * <p>Nothing is persisted ({@code --save '' --appendonly no}); a password is required ({@code
 * requirepass}) as in production. As root (CI) it runs as the {@code redis} user the Debian package
 * creates ({@code runuser}); {@code bin/setup-redis.sh} installs it, {@code SOPHIA_REDIS_SERVER}
 * names another binary. Give each test its own {@link #prefix()} so that tests sharing the server
 * never see each other's keys.
 */
public final class TestRedis implements AutoCloseable {
  public static final String PASSWORD = "sophia-test-redis-password";
  private static final int IDLE_SECONDS = 90;
  private static final String RUN_AS = "redis";

  private static TestRedis shared;
  private static RuntimeException failed;

  private final Path home;
  private final int port;

  private TestRedis(Path home, int port) {
    this.home = home;
    this.port = port;
  }

  /** The build's shared server, started (or found running) on first call. */
  public static synchronized TestRedis shared() {
    if (failed != null) {
      throw failed;
    }
    if (shared == null) {
      try {
        shared = startOrFind();
      } catch (RuntimeException e) {
        failed = e; // once: every later test fails at once with the same reason
        throw e;
      }
    }
    return shared;
  }

  /** A server of this test's own, on a free port, stopped by {@link #close()}. */
  public static TestRedis startPrivate() {
    try {
      Path home = Files.createTempDirectory("sophia-test-redis-");
      TestRedis redis = new TestRedis(home, TestServers.freePort());
      redis.start();
      // Dies with this JVM at the latest.
      TestServers.spawn(
          "while kill -0 "
              + ProcessHandle.current().pid()
              + " 2>/dev/null; do sleep 5; done; "
              + redis.stopCommand()
              + "; rm -rf '"
              + home
              + "'");
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a test Redis", e);
    }
  }

  /** A key prefix no other test uses. */
  public static String prefix() {
    return "t" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ":";
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:PORT}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /**
   * The environment a Sophia using this server needs: URL, password, a fresh key prefix, and a
   * command timeout long enough for a machine busy with parallel builds (the default 250 ms is for
   * a Redis next to a quiet server).
   */
  public Map<String, String> env() {
    return Map.of(
        "SOPHIA_REDIS_URL",
        url(),
        "SOPHIA_REDIS_PASSWORD",
        PASSWORD,
        "SOPHIA_REDIS_KEY_PREFIX",
        prefix(),
        "SOPHIA_REDIS_TIMEOUT_MS",
        "2000");
  }

  /** A connection as a Sophia with {@code env} (see {@link #env()}) makes it. */
  public static Redis connect(Map<String, String> env) {
    return Redis.connect(
        ConfigLoader.create(env).load(Optional.empty()).redis(), Secrets.create(env));
  }

  /** Starts the server (again) on its port and waits until it answers. */
  public void start() {
    boolean root = TestServers.root();
    if (root) {
      TestServers.run(List.of("chown", "-R", RUN_AS, home.toString()), home, null);
    }
    TestServers.run(
        TestServers.asUser(
            root,
            RUN_AS,
            binary(),
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--requirepass",
            PASSWORD,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            home.toString(),
            "--daemonize",
            "yes",
            "--pidfile",
            home.resolve("redis.pid").toString(),
            "--logfile",
            home.resolve("server.log").toString()),
        home,
        PASSWORD);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!answers(port)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the test Redis on port " + port + " did not start");
      }
      sleep(20);
    }
  }

  /** Stops the server at once (its keys are gone: nothing is persisted). */
  public void stop() {
    TestServers.run(List.of("sh", "-c", stopCommand()), home, null);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (answers(port)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the test Redis on port " + port + " did not stop");
      }
      sleep(20);
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  public void freeze() {
    signal("STOP");
  }

  /** Lets a frozen server go on (SIGCONT). */
  public void thaw() {
    signal("CONT");
  }

  private void signal(String name) {
    Path pid = home.resolve("redis.pid");
    TestServers.run(List.of("sh", "-c", "kill -" + name + " $(cat '" + pid + "')"), home, null);
  }

  @Override
  public void close() {
    stop();
    TestServers.run(List.of("rm", "-rf", home.toString()), Path.of("/"), null);
  }

  private String stopCommand() {
    Path pid = home.resolve("redis.pid");
    return "[ -f '" + pid + "' ] && kill $(cat '" + pid + "') 2>/dev/null; true";
  }

  private static TestRedis startOrFind() {
    Path home = TestServers.home("redis");
    try {
      Files.createDirectories(home);
      try (FileChannel channel =
              FileChannel.open(
                  home.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        Path heartbeat = home.resolve("heartbeat");
        Files.writeString(heartbeat, "");
        Path portFile = home.resolve("port");
        TestRedis redis = null;
        if (Files.exists(portFile)) {
          int port = Integer.parseInt(Files.readString(portFile).strip());
          if (answers(port)) {
            redis = new TestRedis(home, port);
          }
        }
        if (redis == null) {
          redis = new TestRedis(home, TestServers.freePort());
          redis.start();
          Files.writeString(portFile, Integer.toString(redis.port));
          TestServers.watchIdle(home, IDLE_SECONDS, redis.stopCommand());
        }
        TestServers.beat(heartbeat);
        return redis;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test Redis in " + home, e);
    }
  }

  /** True when a Redis on {@code port} answers an authenticated PING. */
  private static boolean answers(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(2_000);
      s.getOutputStream()
          .write(
              ("AUTH " + PASSWORD + "\r\nPING\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] buffer = new byte[64];
      StringBuilder reply = new StringBuilder();
      while (!reply.toString().contains("PONG") && reply.length() < 200) {
        int n = s.getInputStream().read(buffer);
        if (n < 0) {
          break;
        }
        reply.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
      }
      return reply.toString().contains("PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private static String binary() {
    String binary = System.getenv().getOrDefault("SOPHIA_REDIS_SERVER", "/usr/bin/redis-server");
    if (!Files.isExecutable(Path.of(binary))) {
      throw new IllegalStateException(
          "redis-server is not installed at "
              + binary
              + ": run bin/setup-redis.sh (or set SOPHIA_REDIS_SERVER)");
    }
    return binary;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
