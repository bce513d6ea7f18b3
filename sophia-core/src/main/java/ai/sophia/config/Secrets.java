package ai.sophia.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads secrets from the environment: {@code NAME} itself, or the file named by {@code NAME_FILE}
 * (Docker and Fly secrets). Values are never logged; callers must not log them either.
 */
public final class Secrets {
  private final Map<String, String> env;

  private Secrets(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public static Secrets create(Map<String, String> env) {
    return new Secrets(Objects.requireNonNull(env, "env"));
  }

  /** The secret named {@code name}, if set and not blank. */
  public Optional<String> get(String name) {
    if (name == null || name.isBlank()) {
      return Optional.empty();
    }
    String direct = env.get(name);
    if (direct != null && !direct.isBlank()) {
      return Optional.of(direct.strip());
    }
    String file = env.get(name + "_FILE");
    if (file == null || file.isBlank()) {
      return Optional.empty();
    }
    return read(file, "secret file named by " + name + "_FILE");
  }

  /** The secret in {@code file} (stripped), if the name is not blank and the file not empty. */
  public Optional<String> file(String file) {
    if (file == null || file.isBlank()) {
      return Optional.empty();
    }
    return read(file, "secret file " + file);
  }

  private static Optional<String> read(String file, String what) {
    try {
      String value = Files.readString(Path.of(file)).strip();
      return value.isEmpty() ? Optional.empty() : Optional.of(value);
    } catch (IOException e) {
      throw new UncheckedIOException(what + " is unreadable", e);
    }
  }
}
