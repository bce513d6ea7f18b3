package ai.sophia.memory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * the heartbeat is {@value TestServers#IDLE_SECONDS} s old, i.e. that long after the last test JVM
 * ended. PostgreSQL refuses to run as root, so as root (CI) it runs as the {@code postgres} user
 * ({@code runuser}); {@code bin/setup-postgres.sh} installs both.
 *
 * <p>Each caller gets a database of its own by name (prefixed with this JVM's token, so JVMs never
 * share one), created on first use from a template that was migrated once, so a test starts from an
 * empty, current schema. Password authentication (SCRAM) as in production; the binaries are found
 * in {@code SOPHIA_PG_BIN} or Debian's {@code /usr/lib/postgresql/15/bin}.
 */
public final class TestPostgres {
  public static final String USER = "sophia";
  public static final String PASSWORD = "sophia-test-password";
  private static final String TEMPLATE = "sophia_template";
  private static final String RUN_AS = "postgres";

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

  private static int startOrFind() {
    Path bin = Path.of(System.getenv().getOrDefault("SOPHIA_PG_BIN", "/usr/lib/postgresql/15/bin"));
    if (!Files.isExecutable(bin.resolve("pg_ctl"))) {
      throw new IllegalStateException(
          "PostgreSQL 15 is not installed at "
              + bin
              + ": run bin/setup-postgres.sh (or set SOPHIA_PG_BIN)");
    }
    return TestServers.startOrFind("pg", TestPostgres::answers, home -> start(bin, home));
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
    run(List.of("rm", "-rf", data.toString()), home);
    Path pwfile = home.resolve("pwfile");
    Files.writeString(pwfile, PASSWORD + "\n");
    if (root) {
      run(List.of("chown", "-R", RUN_AS, home.toString()), home);
    }
    run(
        asUser(
            root,
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
        home);
    int port = freePort();
    String pgCtl = bin.resolve("pg_ctl").toString();
    run(
        asUser(
            root,
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
        home);
    // The watchdog: stops the server and deletes its folder once no test JVM has beaten lately.
    TestServers.watchdog(
        home,
        String.join(
            " ", asUser(root, pgCtl, "-D", data.toString(), "-m", "immediate", "-s", "stop")));
    sql(port, "CREATE DATABASE " + TEMPLATE);
    PostgresDatabase.open("jdbc:postgresql://127.0.0.1:" + port + "/" + TEMPLATE, USER, PASSWORD, 2)
        .close();
    return port;
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

  private static List<String> asUser(boolean root, String... command) {
    return TestServers.asUser(RUN_AS, List.of(command));
  }

  private static void run(List<String> command, Path dir) {
    TestServers.run(command, dir);
  }

  private static int freePort() throws IOException {
    return TestServers.freePort();
  }
}
