package ai.sophia.memory;

import ai.sophia.testing.TestServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real PostgreSQL 15 for the tests, one per build: the first test JVM that asks runs {@code
 * initdb} into a folder under the temporary directory named after the project and {@code pg_ctl
 * start} on a free loopback port; the test JVMs of the modules after it find it there (a file lock
 * keeps two from starting it at once) and use it too. Every JVM using it touches a heartbeat file
 * every few seconds; a small watchdog started with the server stops it and deletes its folder once
 * the heartbeat is {@value #IDLE_SECONDS} s old, i.e. that long after the last test JVM ended.
 * PostgreSQL refuses to run as root, so as root (CI) it runs as the {@code postgres} user ({@code
 * runuser}); {@code bin/setup-postgres.sh} installs both.
 *
 * <p>Each caller gets a database of its own by name (prefixed with this JVM's token, so JVMs never
 * share one), created on first use from a template that was migrated once, so a test starts from an
 * empty, current schema. Password authentication (SCRAM) as in production; the binaries are found
 * in {@code SOPHIA_PG_BIN} or Debian's {@code /usr/lib/postgresql/15/bin}.
 */
public final class TestPostgres {
  public static final String USER = "sophia";
  public static final String PASSWORD = "sophia-test-password";
  // Named by the migrations it holds: a server still running from a build of other migrations
  // (the watchdog keeps it a while) gets a new template instead of serving a stale one.
  private static final String TEMPLATE = "sophia_template_" + migrationsDigest();
  private static final String RUN_AS = "postgres";
  private static final int IDLE_SECONDS = 90;

  private static TestPostgres instance;
  private static RuntimeException failed;

  private final int port;
  private final String token = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  private final Set<String> created = new HashSet<>();

  private TestPostgres(int port) {
    this.port = port;
  }

  /** The server, started (or found running) on first call. */
  public static synchronized TestPostgres get() {
    if (failed != null) {
      throw failed;
    }
    if (instance == null) {
      try {
        instance = new TestPostgres(startOrFind());
        Runtime.getRuntime().addShutdownHook(new Thread(instance::dropAll));
      } catch (RuntimeException e) {
        failed = e; // once: every later test fails at once with the same reason
        throw e;
      }
    }
    return instance;
  }

  /** Opens database {@code name} (created empty at the latest schema the first time). */
  public static PostgresDatabase open(String name) {
    return PostgresDatabase.open(get().create(name), USER, PASSWORD, 4);
  }

  /** A database for {@code dir}: the same directory always names the same database. */
  public static PostgresDatabase open(Path dir) {
    byte[] path = dir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
    return open("t_" + Integer.toUnsignedString(java.util.Arrays.hashCode(path), 36));
  }

  /** The JDBC URL of this JVM's database {@code name}. */
  public String url(String name) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name + "_" + token;
  }

  /** Creates this JVM's database {@code name} from the template unless it exists; its URL. */
  public synchronized String create(String name) {
    if (!name.matches("[a-z0-9_]{1,40}")) {
      throw new IllegalArgumentException("database name " + name);
    }
    if (created.add(name)) {
      sql(port, "CREATE DATABASE " + name + "_" + token + " TEMPLATE " + TEMPLATE);
    }
    return url(name);
  }

  /**
   * Restarts the server ({@code pg_ctl restart -m fast}: every open connection, of every JVM using
   * it, is cut), for tests of what survives a database restart. Same port, same options.
   */
  public synchronized void restart() {
    Path home = TestServers.home("pg");
    TestServers.run(
        TestServers.asUser(
            TestServers.root(),
            RUN_AS,
            bin().resolve("pg_ctl").toString(),
            "-D",
            home.resolve("data").toString(),
            "-m",
            "fast",
            "-w",
            "-t",
            "60",
            "-s",
            "restart"),
        home,
        null);
  }

  /** At exit: this JVM's databases go, the server stays for the next JVM. */
  private synchronized void dropAll() {
    for (String name : created) {
      try {
        sql(port, "DROP DATABASE IF EXISTS " + name + "_" + token + " WITH (FORCE)");
      } catch (IllegalStateException e) {
        // the server is gone already
      }
    }
  }

  private static Path bin() {
    return Path.of(System.getenv().getOrDefault("SOPHIA_PG_BIN", "/usr/lib/postgresql/15/bin"));
  }

  private static int startOrFind() {
    Path bin = bin();
    if (!Files.isExecutable(bin.resolve("pg_ctl"))) {
      throw new IllegalStateException(
          "PostgreSQL 15 is not installed at "
              + bin
              + ": run bin/setup-postgres.sh (or set SOPHIA_PG_BIN)");
    }
    // One server per checkout: the module's parent folder is the project's.
    Path home = TestServers.home("pg");
    try {
      Files.createDirectories(home);
      try (FileChannel channel =
              FileChannel.open(
                  home.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        Path heartbeat = home.resolve("heartbeat");
        Files.writeString(heartbeat, "");
        Path portFile = home.resolve("port");
        int port = -1;
        if (Files.exists(portFile)) {
          port = Integer.parseInt(Files.readString(portFile).strip());
          if (!answers(port)) {
            port = -1;
          }
        }
        if (port < 0) {
          port = start(bin, home);
          Files.writeString(portFile, Integer.toString(port));
        }
        ensureTemplate(port);
        TestServers.beat(heartbeat);
        return port;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test PostgreSQL in " + home, e);
    }
  }

  private static boolean answers(int port) {
    try {
      sql(port, "SELECT 1");
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private static int start(Path bin, Path home) throws IOException {
    boolean root = TestServers.root();
    Path data = home.resolve("data");
    TestServers.run(List.of("rm", "-rf", data.toString()), home, null);
    Path pwfile = home.resolve("pwfile");
    Files.writeString(pwfile, PASSWORD + "\n");
    if (root) {
      TestServers.run(List.of("chown", "-R", RUN_AS, home.toString()), home, null);
    }
    TestServers.run(
        TestServers.asUser(
            root,
            RUN_AS,
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            USER,
            "--pwfile=" + pwfile,
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
            "--no-instructions"),
        home,
        null);
    int port = TestServers.freePort();
    String pgCtl = bin.resolve("pg_ctl").toString();
    TestServers.run(
        TestServers.asUser(
            root,
            RUN_AS,
            pgCtl,
            "-D",
            data.toString(),
            "-l",
            home.resolve("server.log").toString(),
            "-w",
            "-t",
            "30",
            "-s",
            "-o",
            "-p "
                + port
                + " -k "
                + home
                + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                + " -c full_page_writes=off -c max_connections=300",
            "start"),
        home,
        null);
    // The watchdog: stops the server and deletes its folder once no test JVM has beaten lately.
    TestServers.watchIdle(
        home,
        IDLE_SECONDS,
        String.join(
            " ",
            TestServers.asUser(
                root, RUN_AS, pgCtl, "-D", data.toString(), "-m", "immediate", "-s", "stop")));
    return port;
  }

  /** Creates and migrates this build's template unless the server has it (under the lock). */
  private static void ensureTemplate(int port) {
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, PASSWORD);
        var q = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      q.setString(1, TEMPLATE);
      if (q.executeQuery().next()) {
        return;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot look for the template: " + e.getMessage(), e);
    }
    sql(port, "CREATE DATABASE " + TEMPLATE);
    PostgresDatabase.open("jdbc:postgresql://127.0.0.1:" + port + "/" + TEMPLATE, USER, PASSWORD, 2)
        .close();
  }

  /** A short digest of the PostgreSQL migration scripts, in order (from a jar or a folder). */
  private static String migrationsDigest() {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      for (String name : Migrations.SCRIPTS) {
        try (var in =
            TestPostgres.class.getClassLoader().getResourceAsStream("db/postgresql/" + name)) {
          if (in == null) {
            throw new IllegalStateException("no db/postgresql/" + name + " on the class path");
          }
          sha.update(in.readAllBytes());
        }
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (java.security.NoSuchAlgorithmException | IOException e) {
      throw new IllegalStateException("cannot read the migrations: " + e.getMessage(), e);
    }
  }

  private static void sql(int port, String statement) {
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new IllegalStateException(statement + ": " + e.getMessage(), e);
    }
  }
}
