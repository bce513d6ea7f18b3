package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/**
 * Hostile values for the property tests: the Big List of Naughty Strings, type confusion, lone
 * surrogates and control characters, deep nesting and very long strings, each as raw JSON text so
 * that nothing (not even Jackson's own limits) tidies it up before the server sees it.
 */
final class Naughty {
  /**
   * Escapes every non-ASCII character, so a lone surrogate reaches the server as {@code \ud800}.
   */
  private static final JsonMapper WRITER =
      JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  static final List<String> BLNS = load();

  /** Offline models and no rate limit: the properties test input handling, not the limiter. */
  static final Map<String, String> UNLIMITED =
      Map.of(
          "SOPHIA_MODELS_MODE", "offline",
          "SOPHIA_SECURITY_RATE_LIMIT_REQUESTS_PER_SECOND", "100000",
          "SOPHIA_SECURITY_RATE_LIMIT_BURST", "1000000");

  private Naughty() {}

  private static List<String> load() {
    try (InputStream in = Naughty.class.getResourceAsStream("/blns/blns.json")) {
      return List.copyOf(WRITER.readValue(in, new TypeReference<List<String>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON value as text, for one field of a request body. */
  static String json(Object value) {
    try {
      return WRITER.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every kind of hostile value, as raw JSON text. */
  static Arbitrary<String> values() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, strings().map(Naughty::json)),
        Tuple.of(2, typeConfusion()),
        Tuple.of(1, deepNesting()),
        Tuple.of(1, Arbitraries.integers().between(1_001, 20_000).map(n -> json("é".repeat(n)))));
  }

  /** Hostile strings: the naughty list, broken text, and long ones. */
  static Arbitrary<String> strings() {
    return Arbitraries.frequencyOf(
        Tuple.of(5, Arbitraries.of(BLNS)),
        Tuple.of(3, brokenText()),
        Tuple.of(1, Arbitraries.integers().between(990, 1_100).map("a"::repeat)));
  }

  /** Lone surrogates, control characters, zero-width and direction marks, and a few letters. */
  static Arbitrary<String> brokenText() {
    return Arbitraries.strings()
        .withCharRange('\u0000', '\u001f')
        .withCharRange('\ud800', '\udfff')
        .withChars('\u007f', '\u0085', '\u200b', '\u200e', '\u202e', '\ufeff', '\ufffd')
        .withChars('a', 'Z', '-', '/', '.', ' ', '\\', '"', '%')
        .ofMinLength(1)
        .ofMaxLength(12);
  }

  /** Numbers, booleans, null, arrays and objects where a string belongs, and the reverse. */
  static Arbitrary<String> typeConfusion() {
    return Arbitraries.of(
        "null",
        "0",
        "-1",
        "2.5",
        "1e400",
        "99999999999999999999999",
        "true",
        "false",
        "[]",
        "[null]",
        "[\"x\",null]",
        "[1,{}]",
        "{}",
        "{\"a\":null}",
        "\"\"",
        "\"5\"",
        "\"true\"");
  }

  /** Arrays or objects nested 2 to 3,000 deep. */
  static Arbitrary<String> deepNesting() {
    return Arbitraries.integers()
        .between(2, 3_000)
        .flatMap(
            depth ->
                Arbitraries.of(
                    "[".repeat(depth) + "]".repeat(depth),
                    "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)));
  }

  /**
   * A JSON object with {@code field} set to the raw {@code value} and every other field as in
   * {@code base}.
   */
  static String body(Map<String, Object> base, String field, String value) {
    Map<String, Object> rest = new LinkedHashMap<>(base);
    rest.remove(field);
    String others = json(rest);
    String first = json(field) + ":" + value;
    return rest.isEmpty() ? "{" + first + "}" : "{" + first + "," + others.substring(1);
  }

  /**
   * Percent-encodes {@code text} as UTF-8, except that a lone surrogate is encoded as the three
   * bytes of its code unit (invalid UTF-8, as an attacker would send it).
   */
  static String urlEncode(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean pair =
          Character.isHighSurrogate(c)
              && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1));
      if (pair) {
        out.append(URLEncoder.encode(text.substring(i, i + 2), StandardCharsets.UTF_8));
        i++;
      } else if (Character.isSurrogate(c)) {
        out.append(String.format("%%%02X", 0xE0 | (c >> 12)));
        out.append(String.format("%%%02X", 0x80 | ((c >> 6) & 0x3F)));
        out.append(String.format("%%%02X", 0x80 | (c & 0x3F)));
      } else {
        out.append(URLEncoder.encode(String.valueOf(c), StandardCharsets.UTF_8));
      }
    }
    return out.toString();
  }

  /**
   * A success, or a 4xx problem+json with a detail; never a 5xx. Either way the body shows no
   * exception class, stack frame or server path, as {@link TestServer#assertNoInternals}, unless
   * the request itself {@code sent} that text (a success may echo the input).
   */
  static void assertAnswered(HttpResponse<String> r, Path dir, String sent) {
    assertThat(r.statusCode()).as(r.body()).isLessThan(500);
    if (r.statusCode() >= 400) {
      assertThat(r.headers().firstValue("Content-Type"))
          .as(r.body())
          .hasValue("application/problem+json");
      JsonNode problem = TestServer.json(r);
      assertThat(problem.path("detail").asText()).as(r.body()).isNotBlank();
    }
    assertNoInternals(r.body(), dir, sent);
  }

  static void assertNoInternals(String body, Path dir, String sent) {
    List<String> internals =
        List.of(
            "Exception",
            "at ai.sophia",
            ".java:",
            dir.toAbsolutePath().toString(),
            Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath() + "/");
    for (String internal : internals) {
      if (!sent.contains(internal)) {
        assertThat(body).doesNotContain(internal);
      }
    }
  }

  /** A temporary directory for one test class's server (jqwik has no {@code @TempDir}). */
  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
