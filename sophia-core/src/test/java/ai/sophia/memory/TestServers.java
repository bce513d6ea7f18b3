package ai.sophia.memory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/**
 * What {@link TestElasticsearch} and its cluster test use: one server per checkout in a folder
 * under the temporary directory, found again by the test JVMs after the first through a port file
 * under a file lock, kept alive by their heartbeats and stopped by a watchdog once nothing has
 * beaten for {@value #IDLE_SECONDS} s.
 */
final class TestServers {
  static final int IDLE_SECONDS = 90;

  /** Starts the server in its folder; its port. */
  interface Start {
    int start(Path home) throws IOException;
  }

  private TestServers() {}

  /**
   * The port of the {@code kind} server of this checkout: found in the port file if it answers,
   * else started; this JVM beats the heartbeat from now on.
   */
  static int startOrFind(String kind, IntPredicate answers, Start start) {
    // One server per checkout: the module's parent folder is the project's.
    Path cwd = Path.of("").toAbsolutePath();
    String project = (cwd.getParent() != null ? cwd.getParent() : cwd).toString();
    Path home =
        Path.of(System.getProperty("java.io.tmpdir"))
            .resolve(
                "sophia-test-"
                    + kind
                    + "-"
                    + System.getProperty("user.name")
                    + "-"
                    + Integer.toHexString(project.hashCode()));
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
          if (!answers.test(port)) {
            port = -1;
          }
        }
        if (port < 0) {
          port = start.start(home);
          Files.writeString(portFile, Integer.toString(port));
        }
        beat(heartbeat, "test-" + kind + "-heartbeat");
        return port;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test " + kind + " in " + home, e);
    }
  }

  /** Touches the heartbeat while this JVM lives, and once more as it exits. */
  static void beat(Path heartbeat, String threadName) {
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
        .name(threadName)
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

  /** Starts the watchdog: runs {@code stop} and deletes {@code home} once the heartbeat is old. */
  static void watchdog(Path home, String stop) {
    ai.sophia.testing.TestServers.watchIdle(home, IDLE_SECONDS, stop);
  }

  static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** {@code command}, through {@code runuser -u user} when this JVM is root. */
  static List<String> asUser(String user, List<String> command) {
    List<String> out = new ArrayList<>();
    if (root()) {
      out.addAll(List.of("runuser", "-u", user, "--"));
    }
    out.addAll(command);
    return out;
  }

  /** Runs {@code command} in {@code dir} to its end; fails with its output unless it exits 0. */
  static void run(List<String> command, Path dir) {
    try {
      Path log = Files.createTempFile("sophia-test-server", ".log");
      try {
        Process p =
            new ProcessBuilder(command)
                .directory(dir.toFile())
                // An open stdin pipe keeps runuser from returning once a daemon has started.
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
          p.destroyForcibly();
          throw new IllegalStateException(
              String.join(" ", command) + " failed: " + Files.readString(log).strip());
        }
      } finally {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(String.join(" ", command) + " did not start", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
