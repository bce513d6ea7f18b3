package ai.sophia.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A temporary directory that is deleted, with everything in it, on close. */
final class ScratchDirectory implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ScratchDirectory.class);

  private final Path path;

  private ScratchDirectory(Path path) {
    this.path = path;
  }

  static ScratchDirectory create(String prefix) {
    try {
      return new ScratchDirectory(Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new BenchException("cannot create a temporary directory: " + e.getMessage(), e);
    }
  }

  Path path() {
    return path;
  }

  Path resolve(String name) {
    return path.resolve(name);
  }

  /** Copies the directory {@code from}, with everything in it, to {@code name} in this one. */
  Path copy(Path from, String name) {
    Path to = path.resolve(name);
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path source : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else if (!source.getFileName().toString().equals("write.lock")) {
          Files.copy(source, target);
        }
      }
    } catch (IOException e) {
      throw new BenchException("cannot copy " + from + ": " + e.getMessage(), e);
    }
    return to;
  }

  @Override
  public void close() {
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException | UncheckedIOException e) {
      // Leaving a temporary directory behind is harmless; losing the results would not be.
      log.warn("could not delete {}: {}", path, e.getMessage());
    }
  }
}
