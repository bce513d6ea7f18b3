package ai.sophia.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into addresses for {@link SafeFetcher}. The fetcher asks once per hop, checks
 * every answer, and then connects only to those addresses. Tests inject one that answers without
 * DNS.
 */
@FunctionalInterface
public interface HostResolver {
  /** All addresses of {@code host}; never empty. */
  List<InetAddress> resolve(String host) throws UnknownHostException;

  /** The system resolver ({@link InetAddress#getAllByName}). */
  static HostResolver system() {
    return host -> List.of(InetAddress.getAllByName(host));
  }
}
