package ai.sophia.server;

import ai.sophia.error.StorageException;
import ai.sophia.server.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A serving Sophia as the CLI finds it: the file {@value #FILE} that {@code sophia serve} leaves in
 * its data directory while it runs, with the address it listens on and an admin key of its own. The
 * index is locked by the server, so {@code sophia ingest}, {@code research} and {@code memory}
 * beside it go through its API with that key instead. The file is readable by its owner only
 * (whoever can read the data directory can read everything Sophia keeps anyway); the key is revoked
 * and the file removed when the server stops, and replaced when the next one starts.
 */
public record RunningServer(String url, long pid, String key) {
  static final String FILE = "server.json";
  static final String KEY_NAME = "local CLI (sophia serve)";

  /**
   * The name of the CLI key of the server on {@code dataDir}: {@link #KEY_NAME}, this host and a
   * digest of the folder, so that nodes sharing one database each revoke only their own.
   */
  static String keyName(Path dataDir) {
    String folder = dataDir.toAbsolutePath().normalize().toString();
    String digest = Integer.toHexString(folder.hashCode());
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    String name = KEY_NAME + " on " + host + ":" + digest;
    return name.length() <= 100 ? name : name.substring(0, 100);
  }

  public RunningServer {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(key, "key");
  }

  /**
   * The server running on {@code dataDir}, if one is: its file is there and its process alive. A
   * file a crashed server left behind is ignored.
   */
  public static Optional<RunningServer> find(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      JsonNode n = Json.mapper().readTree(Files.readString(file));
      RunningServer server =
          new RunningServer(n.path("url").asText(), n.path("pid").asLong(), n.path("key").asText());
      boolean alive = ProcessHandle.of(server.pid()).map(ProcessHandle::isAlive).orElse(false);
      return alive && !server.url().isEmpty() ? Optional.of(server) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // unreadable or half-written: as if no server ran
    }
  }

  /** Writes the file for this process, owner-only, replacing any earlier one at once. */
  static RunningServer publish(Path dataDir, String url, String key) {
    RunningServer server = new RunningServer(url, ProcessHandle.current().pid(), key);
    Path file = dataDir.resolve(FILE);
    Path partial = dataDir.resolve(FILE + ".partial");
    try {
      Files.deleteIfExists(partial);
      Files.createFile(
          partial,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          partial,
          Json.mapper().writeValueAsString(Map.of("url", url, "pid", server.pid(), "key", key)));
      try {
        Files.move(
            partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | UnsupportedOperationException e) {
      throw new StorageException("could not write " + FILE + " in the data directory", e);
    }
    return server;
  }

  /** Removes the file if it is this process's. */
  static void withdraw(Path dataDir) {
    find(dataDir)
        .filter(s -> s.pid() == ProcessHandle.current().pid())
        .ifPresent(
            s -> {
              try {
                Files.deleteIfExists(dataDir.resolve(FILE));
              } catch (IOException e) {
                // The next start replaces it; a dead pid makes it ignored meanwhile.
              }
            });
  }
}
