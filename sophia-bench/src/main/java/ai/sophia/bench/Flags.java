package ai.sophia.bench;

import ai.sophia.error.InvalidInputException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Command-line flags of the benchmark mains: {@code --name value} pairs, each name known. */
final class Flags {
  private final Map<String, String> values;

  private Flags(Map<String, String> values) {
    this.values = values;
  }

  static Flags parse(String[] args, Set<String> known) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i];
      if (!name.startsWith("--") || !known.contains(name.substring(2))) {
        throw new InvalidInputException(
            name,
            "unknown flag "
                + name
                + "; known: --"
                + String.join(", --", known.stream().sorted().toList()));
      }
      if (i + 1 >= args.length) {
        throw new InvalidInputException(name, name + " needs a value");
      }
      values.put(name.substring(2), args[i + 1]);
    }
    return new Flags(values);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  String text(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  Path path(String name, String fallback) {
    return Path.of(text(name, fallback));
  }

  /** A comma-separated list, blanks dropped. */
  List<String> list(String name, String fallback) {
    List<String> items =
        Arrays.stream(text(name, fallback).split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .toList();
    if (items.isEmpty()) {
      throw new InvalidInputException("--" + name, "--" + name + " needs at least one value");
    }
    return items;
  }

  int integer(String name, int fallback, int min, int max) {
    String raw = values.get(name);
    if (raw == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.strip());
      if (value < min || value > max) {
        throw new InvalidInputException(
            "--" + name, "--" + name + " must be between " + min + " and " + max);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          "--" + name, "--" + name + " must be a whole number, got '" + raw + "'");
    }
  }
}
