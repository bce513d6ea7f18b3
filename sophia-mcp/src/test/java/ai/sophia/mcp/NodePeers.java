package ai.sophia.mcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real MCP peers the tests talk to, from npm: the official TypeScript SDK (its client drives
 * Sophia's server) and the reference servers {@code server-everything} and {@code
 * server-filesystem}, pinned in {@code sophia-mcp/src/test/node/package-lock.json}. The first test
 * that needs them runs {@code npm ci} there (only the npm registry is reached); later runs find
 * {@code node_modules} and skip it. Needs {@code node} (20 or newer) and {@code npm} on the PATH.
 */
public final class NodePeers {
  private static Path folder;

  private NodePeers() {}

  /** The installed test-support folder ({@code npm ci} on first use). */
  public static synchronized Path folder() {
    if (folder == null) {
      Path dir = locate();
      install(dir);
      folder = dir;
    }
    return folder;
  }

  /** An executable of an installed package, e.g. {@code mcp-server-everything}. */
  public static Path bin(String name) {
    return folder().resolve("node_modules/.bin/" + name);
  }

  /** The {@code node} executable. */
  public static String node() {
    return "node";
  }

  /**
   * Runs {@code node <script> <args…>} in the folder and returns its stdout lines.
   *
   * @throws IllegalStateException when it fails or takes longer than three minutes
   */
  public static List<String> runScript(String script, String... args) {
    List<String> command = new ArrayList<>(List.of(node(), script));
    command.addAll(List.of(args));
    return run(folder(), command, 180);
  }

  private static Path locate() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      for (Path candidate :
          List.of(p.resolve("src/test/node"), p.resolve("sophia-mcp/src/test/node"))) {
        if (Files.isRegularFile(candidate.resolve("package-lock.json"))
            && candidate.toString().contains("sophia-mcp")) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException("sophia-mcp/src/test/node not found above " + dir);
  }

  private static void install(Path dir) {
    // A lock file, because two modules' tests may install at once.
    try (FileChannel channel =
            FileChannel.open(
                dir.resolve(".install.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = channel.lock()) {
      Path marker = dir.resolve("node_modules/.package-lock.json");
      if (Files.isRegularFile(marker)
          && Files.getLastModifiedTime(marker)
                  .compareTo(Files.getLastModifiedTime(dir.resolve("package-lock.json")))
              >= 0) {
        return;
      }
      run(dir, List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 600);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> run(Path dir, List<String> command, int timeoutSeconds) {
    try {
      Path err = Files.createTempFile("node-peer", ".err");
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(command + " took longer than " + timeoutSeconds + " s");
      }
      String stderr = Files.readString(err);
      Files.deleteIfExists(err);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            command + " exited " + process.exitValue() + ":\n" + stderr);
      }
      return new String(out, StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run " + command + " (are node 20+ and npm installed?): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
