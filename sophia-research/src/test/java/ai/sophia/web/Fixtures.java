package ai.sophia.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Recorded-style response bodies under src/test/resources/fixtures (search engines, pages). */
public final class Fixtures {
  private Fixtures() {}

  /** The text of fixture {@code name}, such as {@code searxng-results.json}. */
  public static String text(String name) {
    return resource("/fixtures/" + name);
  }

  /** The text of the test resource at {@code path} (from the class path root). */
  public static String resource(String path) {
    try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
