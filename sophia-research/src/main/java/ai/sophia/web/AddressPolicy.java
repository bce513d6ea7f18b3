package ai.sophia.web;

import ai.sophia.config.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which IP addresses the fetcher may connect to. Everything that is not a public unicast
 * address is refused, unless the operator allowed its range ({@code
 * research.fetch.allowed_private_ranges}) or ingest runs with {@code --allow-private}, which opens
 * loopback, private and shared (CGNAT) ranges but never link-local (cloud metadata), multicast or
 * reserved ones.
 *
 * <p>IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the IPv4
 * address they carry, so {@code ::ffff:127.0.0.1} is loopback.
 */
final class AddressPolicy {
  /** Kinds that {@code --allow-private} opens. */
  private static final Set<String> PRIVATE_KINDS = Set.of("loopback", "private", "shared (CGNAT)");

  private static final List<Range> IPV4 =
      ranges(
          "0.0.0.0/8", "this-network",
          "10.0.0.0/8", "private",
          "100.64.0.0/10", "shared (CGNAT)",
          "127.0.0.0/8", "loopback",
          "169.254.0.0/16", "link-local",
          "172.16.0.0/12", "private",
          "192.0.0.0/24", "IETF protocol assignment",
          "192.0.2.0/24", "documentation",
          "192.88.99.0/24", "reserved",
          "192.168.0.0/16", "private",
          "198.18.0.0/15", "benchmarking",
          "198.51.100.0/24", "documentation",
          "203.0.113.0/24", "documentation",
          "224.0.0.0/4", "multicast",
          "240.0.0.0/4", "reserved");

  private static final List<Range> IPV6 =
      ranges(
          "::/128", "unspecified",
          "::1/128", "loopback",
          "fc00::/7", "private",
          "fe80::/10", "link-local",
          "fec0::/10", "site-local",
          "ff00::/8", "multicast",
          "2001::/23", "IETF protocol assignment",
          "2001:db8::/32", "documentation",
          "3fff::/20", "documentation");

  private static final Cidr GLOBAL_UNICAST_V6 = Cidr.parse("2000::/3");

  private final List<Cidr> allowed;
  private final boolean allowPrivate;

  private AddressPolicy(List<Cidr> allowed, boolean allowPrivate) {
    this.allowed = List.copyOf(allowed);
    this.allowPrivate = allowPrivate;
  }

  static AddressPolicy create(List<Cidr> allowed, boolean allowPrivate) {
    return new AddressPolicy(allowed, allowPrivate);
  }

  /** Why {@code address} must not be reached, or empty when it may. */
  Optional<String> refusal(InetAddress address) {
    if (isAllowedExplicitly(address)) {
      return Optional.empty();
    }
    byte[] b = address.getAddress();
    if (b.length == 16) {
      Optional<byte[]> embedded = embeddedIpv4(b);
      if (embedded.isPresent()) {
        InetAddress v4 = v4(embedded.get());
        return refusal(v4).map(why -> why + " (" + v4.getHostAddress() + " inside IPv6)");
      }
    }
    String kind = kind(address, b);
    if (kind.isEmpty() || (allowPrivate && PRIVATE_KINDS.contains(kind))) {
      return Optional.empty();
    }
    return Optional.of(address.getHostAddress() + " is in the " + kind + " range");
  }

  private boolean isAllowedExplicitly(InetAddress address) {
    return allowed.stream().anyMatch(range -> range.contains(address));
  }

  /** The special-purpose kind of {@code address}, or "" for public unicast. */
  private static String kind(InetAddress address, byte[] b) {
    List<Range> table = b.length == 4 ? IPV4 : IPV6;
    for (Range range : table) {
      if (range.cidr().contains(address)) {
        return range.kind();
      }
    }
    if (b.length == 16 && !GLOBAL_UNICAST_V6.contains(address)) {
      return "reserved";
    }
    return "";
  }

  /** The IPv4 address an IPv6 address stands for, if it is one of the forms that embed one. */
  private static Optional<byte[]> embeddedIpv4(byte[] b) {
    boolean firstTenZero = Arrays.equals(b, 0, 10, new byte[10], 0, 10);
    // ::ffff:a.b.c.d (mapped)
    if (firstTenZero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
      return Optional.of(Arrays.copyOfRange(b, 12, 16));
    }
    // ::a.b.c.d (compatible, deprecated); :: and ::1 keep their own meaning
    boolean firstTwelveZero = firstTenZero && b[10] == 0 && b[11] == 0;
    if (firstTwelveZero && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] & 0xfe) == 0)) {
      return Optional.of(Arrays.copyOfRange(b, 12, 16));
    }
    // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
    byte[] nat64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    if (Arrays.equals(b, 0, 12, nat64, 0, 12)) {
      return Optional.of(Arrays.copyOfRange(b, 12, 16));
    }
    // 2002:aabb:ccdd::/48 (6to4)
    if (b[0] == 0x20 && b[1] == 0x02) {
      return Optional.of(Arrays.copyOfRange(b, 2, 6));
    }
    return Optional.empty();
  }

  private static InetAddress v4(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an address", e);
    }
  }

  private static List<Range> ranges(String... pairs) {
    List<Range> out = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.add(new Range(Cidr.parse(pairs[i]), pairs[i + 1]));
    }
    return List.copyOf(out);
  }

  private record Range(Cidr cidr, String kind) {}
}
