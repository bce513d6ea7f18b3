package ai.sophia.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL 15 for the tests, one per test JVM: {@code initdb} into a temporary directory
 * and {@code pg_ctl start} on a free loopback port the first time a test asks, stopped and deleted
 * by a shutdown hook. PostgreSQL refuses to run as root, so as root (CI) it runs as the {@code
 * postgres} user ({@code runuser}); {@code bin/setup-postgres.sh} installs both.
 *
 * <p>Each caller gets a database of its own by name, created on first use from a template that was
 * migrated once, so a test starts from an empty, current schema in about a hundred milliseconds.
 * Password authentication (SCRAM) as in production; the binaries are found in {@code SOPHIA_PG_BIN}
 * or Debian's {@code /usr/lib/postgresql/15/bin}.
 */
public final class TestPostgres {
  public static final String USER = "sophia";
  public static final String PASSWORD = "sophia-test-password";
  private static final String TEMPLATE = "sophia_template";
  private static final String RUN_AS = "postgres";

  private static TestPostgres instance;
  private static RuntimeException failed;

  private final Path dir;
  private final int port;
  private final List<String> created = new ArrayList<>();

  private TestPostgres(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** The server, started on first call. */
  public static synchronized TestPostgres get() {
    if (failed != null) {
      throw failed;
    }
    if (instance == null) {
      try {
        instance = start();
      } catch (RuntimeException e) {
        failed = e; // once: every later test fails at once with the same reason
        throw e;
      }
    }
    return instance;
  }

  /** Opens database {@code name} (created empty at the latest schema the first time). */
  public static PostgresDatabase open(String name) {
    return get().database(name);
  }

  /** A database for {@code dir}: the same directory always names the same database. */
  public static PostgresDatabase open(Path dir) {
    byte[] digest = dir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
    return open("t_" + Integer.toUnsignedString(java.util.Arrays.hashCode(digest), 36));
  }

  /** The JDBC URL of database {@code name}. */
  public String url(String name) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
  }

  /** Creates database {@code name} from the template unless it exists; returns its URL. */
  public synchronized String create(String name) {
    if (!name.matches("[a-z0-9_]{1,60}")) {
      throw new IllegalArgumentException("database name " + name);
    }
    if (!created.contains(name)) {
      sql("postgres", "CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE);
      created.add(name);
    }
    return url(name);
  }

  private PostgresDatabase database(String name) {
    return PostgresDatabase.open(create(name), USER, PASSWORD, 4);
  }

  private static TestPostgres start() {
    Path bin = Path.of(System.getenv().getOrDefault("SOPHIA_PG_BIN", "/usr/lib/postgresql/15/bin"));
    if (!Files.isExecutable(bin.resolve("pg_ctl"))) {
      throw new IllegalStateException(
          "PostgreSQL 15 is not installed at "
              + bin
              + ": run bin/setup-postgres.sh (or set SOPHIA_PG_BIN)");
    }
    try {
      Path dir = Files.createTempDirectory("sophia-pg-");
      Path data = dir.resolve("data");
      Path pwfile = dir.resolve("pwfile");
      Files.writeString(pwfile, PASSWORD + "\n");
      boolean root = "root".equals(System.getProperty("user.name"));
      if (root) {
        run(List.of("chown", "-R", RUN_AS, dir.toString()), dir);
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
          dir);
      int port = freePort();
      TestPostgres pg = new TestPostgres(dir, port);
      run(
          asUser(
              root,
              bin.resolve("pg_ctl").toString(),
              "-D",
              data.toString(),
              "-l",
              dir.resolve("server.log").toString(),
              "-w",
              "-t",
              "30",
              "-s",
              "-o",
              "-p "
                  + port
                  + " -k "
                  + dir
                  + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                  + " -c full_page_writes=off -c max_connections=300",
              "start"),
          dir);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      run(
                          asUser(
                              root,
                              bin.resolve("pg_ctl").toString(),
                              "-D",
                              data.toString(),
                              "-m",
                              "immediate",
                              "-w",
                              "stop"),
                          dir);
                      run(List.of("rm", "-rf", dir.toString()), dir);
                    } catch (RuntimeException e) {
                      System.err.println("stopping the test PostgreSQL failed: " + e.getMessage());
                    }
                  }));
      pg.sql("postgres", "CREATE DATABASE " + TEMPLATE);
      PostgresDatabase.open(pg.url(TEMPLATE), USER, PASSWORD, 2).close();
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test PostgreSQL", e);
    }
  }

  private void sql(String database, String statement) {
    try (Connection c = DriverManager.getConnection(url(database), USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new IllegalStateException(statement + ": " + e.getMessage(), e);
    }
  }

  private static List<String> asUser(boolean root, String... command) {
    List<String> out = new ArrayList<>();
    if (root) {
      out.addAll(List.of("runuser", "-u", RUN_AS, "--"));
    }
    out.addAll(List.of(command));
    return out;
  }

  private static void run(List<String> command, Path dir) {
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              // An open stdin pipe keeps runuser from returning once pg_ctl has started the server.
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("setup.log").toFile())
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command)
                + " failed: "
                + Files.readString(dir.resolve("setup.log")).strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(String.join(" ", command) + " did not start", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
