package ai.sophia.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a URL host that is an IP address in any spelling a browser or {@code inet_aton} accepts:
 * dotted decimal, a single 32-bit number ({@code 2130706433}), hex ({@code 0x7f000001}), octal
 * ({@code 0177.0.0.1}), short forms ({@code 127.1}) and IPv6 literals. No DNS lookup happens.
 *
 * <p>Design note: a host whose last label is numeric is an IPv4 literal or nothing (WHATWG URL
 * rules). Letting such a host fall through to the resolver would let the system resolver read it
 * differently from the way we checked it.
 */
final class IpLiterals {
  private static final Pattern NUMBER = Pattern.compile("0[xX][0-9a-fA-F]*|[0-9]+");

  private IpLiterals() {}

  /** The result of reading a host: an address, not an IP literal at all, or a malformed one. */
  sealed interface Parsed {
    record Address(InetAddress address) implements Parsed {}

    record Hostname() implements Parsed {}

    record Malformed(String why) implements Parsed {}
  }

  static Parsed parse(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.contains(":")) {
      return ipv6(h);
    }
    String[] parts = (h.endsWith(".") ? h.substring(0, h.length() - 1) : h).split("\\.", -1);
    if (!NUMBER.matcher(parts[parts.length - 1]).matches()) {
      return new Parsed.Hostname();
    }
    if (parts.length > 4) {
      return new Parsed.Malformed("more than four numeric parts");
    }
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Optional<Long> value = number(parts[i]);
      if (value.isEmpty()) {
        return new Parsed.Malformed("'" + parts[i] + "' is not a number");
      }
      values[i] = value.get();
    }
    return ipv4(values);
  }

  private static Parsed ipv6(String text) {
    if (!text.matches("[0-9a-fA-F:.]+")) {
      return new Parsed.Malformed("not an IPv6 address");
    }
    try {
      // A literal containing ':' is parsed, never looked up.
      return new Parsed.Address(InetAddress.getByName(text));
    } catch (UnknownHostException e) {
      return new Parsed.Malformed("not an IPv6 address");
    }
  }

  private static Parsed ipv4(long[] values) {
    int last = values.length - 1;
    for (int i = 0; i < last; i++) {
      if (values[i] > 0xff) {
        return new Parsed.Malformed("part " + (i + 1) + " exceeds 255");
      }
    }
    // The last part fills all remaining bytes: 127.1 is 127.0.0.1, 2130706433 is 127.0.0.1.
    int remainingBytes = 4 - last;
    if (values[last] >= 1L << (8 * remainingBytes)) {
      return new Parsed.Malformed("last part out of range");
    }
    long value = values[last];
    for (int i = 0; i < last; i++) {
      value |= values[i] << (8 * (3 - i));
    }
    byte[] bytes = {
      (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
    };
    try {
      return new Parsed.Address(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an address", e);
    }
  }

  private static Optional<Long> number(String part) {
    try {
      if (part.startsWith("0x") || part.startsWith("0X")) {
        String hex = part.substring(2);
        return Optional.of(hex.isEmpty() ? 0L : parseBounded(hex, 16));
      }
      if (part.length() > 1 && part.startsWith("0")) {
        return Optional.of(parseBounded(part.substring(1), 8));
      }
      return Optional.of(parseBounded(part, 10));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static long parseBounded(String digits, int radix) {
    // Longer than any 32-bit value: refuse rather than overflow.
    if (digits.length() > 12) {
      throw new NumberFormatException("too long");
    }
    return Long.parseLong(digits, radix);
  }
}
