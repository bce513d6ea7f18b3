package ai.sophia.research;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The numbers a text states, normalized so that a claim and its source can be compared: {@code
 * 1,000} is 1000, {@code three} is 3, {@code 8 kB} is {@code 8kB}, {@code 50 million} is 50000000;
 * a decade ({@code 1940s}) is its own kind and matches only itself. "one" counts only before a
 * multiplier ({@code one billion}): as a pronoun ("one such operation", "each kilometre" said as
 * "one kilometre") it is far more common than as a number worth checking.
 */
final class Quantities {
  /** One number and its unit: {@code ""} when none, {@code decade}, {@code x} for "twice". */
  record Quantity(String value, String unit, String said) {
    /** The same number, in the same unit or stated without one. */
    boolean matches(Quantity other) {
      if (!value.equals(other.value)) {
        return false;
      }
      if (unit.equals(DECADE) || other.unit.equals(DECADE)) {
        return unit.equals(other.unit); // the 1940s are not 1940
      }
      return unit.equals(other.unit) || unit.isEmpty() || other.unit.isEmpty();
    }
  }

  private static final String DECADE = "decade";

  private static final Map<String, Integer> WORDS =
      Map.ofEntries(
          Map.entry("one", 1),
          Map.entry("two", 2),
          Map.entry("three", 3),
          Map.entry("four", 4),
          Map.entry("five", 5),
          Map.entry("six", 6),
          Map.entry("seven", 7),
          Map.entry("eight", 8),
          Map.entry("nine", 9),
          Map.entry("ten", 10),
          Map.entry("eleven", 11),
          Map.entry("twelve", 12),
          Map.entry("fifteen", 15),
          Map.entry("twenty", 20),
          Map.entry("thirty", 30),
          Map.entry("forty", 40),
          Map.entry("fifty", 50),
          Map.entry("hundred", 100));

  private static final Map<String, Long> MULTIPLIERS =
      Map.of("thousand", 1_000L, "million", 1_000_000L, "billion", 1_000_000_000L);

  private static final Map<String, String> TIMES =
      Map.of("twice", "2", "double", "2", "triple", "3", "thrice", "3", "half", "0.5");

  private static final Map<String, String> UNITS =
      Map.ofEntries(
          Map.entry("kb", "kB"),
          Map.entry("kilobyte", "kB"),
          Map.entry("mb", "MB"),
          Map.entry("megabyte", "MB"),
          Map.entry("gb", "GB"),
          Map.entry("gigabyte", "GB"),
          Map.entry("tb", "TB"),
          Map.entry("terabyte", "TB"),
          Map.entry("byte", "B"),
          Map.entry("ms", "ms"),
          Map.entry("millisecond", "ms"),
          Map.entry("s", "s"),
          Map.entry("sec", "s"),
          Map.entry("second", "s"),
          Map.entry("min", "min"),
          Map.entry("minute", "min"),
          Map.entry("hour", "h"),
          Map.entry("day", "d"),
          Map.entry("%", "%"),
          Map.entry("percent", "%"),
          Map.entry("bit", "bit"),
          Map.entry("m", "m"),
          Map.entry("metre", "m"),
          Map.entry("meter", "m"),
          Map.entry("km", "km"),
          Map.entry("kilometre", "km"),
          Map.entry("kilometer", "km"));

  private static final String UNIT =
      "(?:\\s?-?(?<unit>kilobytes?|megabytes?|gigabytes?|terabytes?|bytes?|kB|KB|MB|GB|TB|ms"
          + "|milliseconds?|seconds?|sec|s|minutes?|min|hours?|days?|%|percent|bits?"
          + "|kilometres?|kilometers?|km|metres?|meters?|m)(?![\\w%]))?";
  private static final String WORD_NUMBERS = String.join("|", WORDS.keySet());

  /** Scientific notation first (1E-37), then decades, then plain numbers and number words. */
  private static final Pattern NUMBER =
      Pattern.compile(
          "(?<![\\w.])(?:(?<sci>\\d+(?:\\.\\d+)?[eE][-+]?\\d+)"
              + "|(?<decade>\\d{3}0)s(?!\\w)"
              + "|(?<num>-?(?:\\d{1,3}(?:,\\d{3})+|\\d+(?:\\.\\d+)*))"
              + "|(?<word>(?i:"
              + WORD_NUMBERS
              + ")))"
              + "(?:\\s(?<mult>(?i:thousand|million|billion)))?"
              + UNIT
              + "(?![\\w])");

  private static final Pattern TIMES_WORD =
      Pattern.compile("(?i)\\b(twice|double|triple|thrice|half)\\b");

  private Quantities() {}

  static Set<Quantity> of(String text) {
    Set<Quantity> out = new LinkedHashSet<>();
    Matcher m = NUMBER.matcher(text);
    while (m.find()) {
      String said = m.group().strip();
      if (m.group("sci") != null) {
        out.add(new Quantity(m.group("sci").toLowerCase(Locale.ROOT), "", said));
        continue;
      }
      if (m.group("decade") != null) {
        out.add(new Quantity(m.group("decade"), DECADE, said));
        continue;
      }
      String unit = unit(m.group("unit"));
      if (m.group("word") != null) {
        String word = m.group("word").toLowerCase(Locale.ROOT);
        if (word.equals("one") && m.group("mult") == null) {
          continue;
        }
        out.add(
            new Quantity(times(BigDecimal.valueOf(WORDS.get(word)), m.group("mult")), unit, said));
        continue;
      }
      String num = m.group("num").replace(",", "");
      String value =
          num.indexOf('.') != num.lastIndexOf('.')
              ? num // a version or section number such as 25.1.5
              : times(new BigDecimal(num), m.group("mult"));
      out.add(new Quantity(value, unit, said));
    }
    Matcher t = TIMES_WORD.matcher(text);
    while (t.find()) {
      out.add(new Quantity(TIMES.get(t.group(1).toLowerCase(Locale.ROOT)), "x", t.group(1)));
    }
    return out;
  }

  /** Whether {@code q} is among {@code stated}. */
  static boolean stated(Quantity q, Set<Quantity> stated) {
    return stated.stream().anyMatch(q::matches);
  }

  /**
   * Of {@code stated}, the one of the same kind as {@code q} (a decade for a decade, a year for a
   * year, the same unit) closest to it in size, if any: what the source says instead.
   */
  static Optional<Quantity> counterpart(Quantity q, Set<Quantity> stated) {
    return stated.stream()
        .filter(s -> !s.value().equals(q.value()))
        .filter(s -> s.unit().equals(q.unit()) && kind(s).equals(kind(q)))
        .min(Comparator.comparingDouble(s -> distance(s, q)));
  }

  private static double distance(Quantity a, Quantity b) {
    try {
      double x = Math.abs(Double.parseDouble(a.value()));
      double y = Math.abs(Double.parseDouble(b.value()));
      return Math.abs(Math.log10(x + 1) - Math.log10(y + 1));
    } catch (NumberFormatException e) {
      return Double.MAX_VALUE; // a version such as 25.1.5: any will do
    }
  }

  /**
   * Years are told apart from other unitless numbers, so "1973, not 1873" but not "15, not 1873".
   */
  private static String kind(Quantity q) {
    return q.value().matches("1[6-9][0-9]{2}|20[0-9]{2}") ? "year" : "number";
  }

  private static String times(BigDecimal n, String multiplier) {
    BigDecimal v =
        multiplier == null
            ? n
            : n.multiply(BigDecimal.valueOf(MULTIPLIERS.get(multiplier.toLowerCase(Locale.ROOT))));
    return v.stripTrailingZeros().toPlainString();
  }

  private static String unit(String raw) {
    if (raw == null) {
      return "";
    }
    String u = raw.equals("m") || raw.equals("s") ? raw : raw.toLowerCase(Locale.ROOT);
    if (u.length() > 3 && u.endsWith("s")) {
      u = u.substring(0, u.length() - 1);
    }
    return UNITS.getOrDefault(u, u);
  }
}
