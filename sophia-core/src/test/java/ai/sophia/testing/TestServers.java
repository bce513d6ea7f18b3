package ai.sophia.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the tests' real servers (TestPostgres, TestRedis) have in common: a folder per checkout
 * under the temporary directory, a heartbeat each test JVM using the server touches, a watchdog
 * that stops the server once the heartbeat is old, commands run as another user when root, and free
 * loopback ports.
 */
public final class TestServers {
  private TestServers() {}

  /** {@code tmp/sophia-test-KIND-USER-HASH}: one per checkout (the module's parent folder). */
  public static Path home(String kind) {
    Path cwd = Path.of("").toAbsolutePath();
    String project = (cwd.getParent() != null ? cwd.getParent() : cwd).toString();
    return Path.of(System.getProperty("java.io.tmpdir"))
        .resolve(
            "sophia-test-"
                + kind
                + "-"
                + System.getProperty("user.name")
                + "-"
                + Integer.toHexString(project.hashCode()));
  }

  /** Whether this JVM runs as root (CI), where servers run as another user. */
  public static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Touches {@code heartbeat} while this JVM lives, and once more as it exits. */
  public static void beat(Path heartbeat) {
    Runnable touch =
        () -> {
          try {
            Files.setLastModifiedTime(heartbeat, FileTime.from(Instant.now()));
          } catch (IOException e) {
            // the watchdog has cleaned up: nothing to keep alive
          }
        };
    Thread.ofPlatform()
        .daemon()
        .name("test-server-heartbeat")
        .start(
            () -> {
              while (true) {
                touch.run();
                try {
                  Thread.sleep(5_000);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    Runtime.getRuntime().addShutdownHook(new Thread(touch));
  }

  /**
   * Starts, detached, a watchdog that runs {@code stop} and deletes {@code home} once {@code
   * home/heartbeat} is {@code idleSeconds} old, i.e. that long after the last test JVM ended.
   *
   * <p>It first renames {@code home} away and then stops the server from there ({@code stop}'s
   * paths are rewritten to the new name), so that a test JVM arriving while the server stops finds
   * no folder and starts a fresh server in a fresh one, rather than in a folder the watchdog is
   * about to delete (an Elasticsearch started that way died without its config).
   */
  public static void watchIdle(Path home, int idleSeconds, String stop) {
    Path dead = home.resolveSibling(home.getFileName() + ".stopping");
    spawn(
        "while [ $(( $(date +%s) - $(stat -c %Y '"
            + home.resolve("heartbeat")
            + "' 2>/dev/null || echo 0) )) -lt "
            + idleSeconds
            + " ]; do sleep 5; done; rm -rf '"
            + dead
            + "'; mv '"
            + home
            + "' '"
            + dead
            + "' || exit 0; "
            + stop.replace(home.toString(), dead.toString())
            + "; rm -rf '"
            + dead
            + "'");
  }

  /** Starts {@code script} with {@code sh}, detached from this JVM (it outlives it). */
  public static void spawn(String script) {
    try {
      new ProcessBuilder("setsid", "sh", "-c", script)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectErrorStream(true)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start sh", e);
    }
  }

  /** {@code command}, through {@code runuser -u user} when {@code root}. */
  public static List<String> asUser(boolean root, String user, String... command) {
    List<String> out = new ArrayList<>();
    if (root) {
      out.addAll(List.of("runuser", "-u", user, "--"));
    }
    out.addAll(List.of(command));
    return out;
  }

  /**
   * Runs {@code command} in {@code dir} and waits up to a minute; on failure throws with its
   * output, {@code secret} (may be null) masked in the command line.
   */
  public static void run(List<String> command, Path dir, String secret) {
    String shown = String.join(" ", command);
    if (secret != null) {
      shown = shown.replace(secret, "***");
    }
    try {
      Path log = Files.createTempFile("sophia-test-server", ".log");
      try {
        Process p =
            new ProcessBuilder(command)
                .directory(dir.toFile())
                // An open stdin pipe keeps runuser from returning once a daemon started.
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
          p.destroyForcibly();
          throw new IllegalStateException(shown + " failed: " + Files.readString(log).strip());
        }
      } finally {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(shown + " did not start", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** A loopback port free right now. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }
}
