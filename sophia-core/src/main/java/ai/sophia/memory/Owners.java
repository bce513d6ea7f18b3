package ai.sophia.memory;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lease owner names of the swarm engine and the agent runtime, {@code node/pid/random} ({@code
 * node} is {@code swarm.node_name}, by default the host name), and whether one is gone: a run held
 * by a process of this host that no longer lives (or by a closed engine of this process) may be
 * resumed at once, without waiting for its lease to expire. An owner on another node is never
 * judged here: its lease decides.
 */
public final class Owners {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();
  private static final Set<String> LOCAL_NODES = ConcurrentHashMap.newKeySet();
  private static final String HOST = hostName();

  private Owners() {}

  /** A new owner name for an engine of this process on node {@code node} (empty: this host). */
  public static String register(String node) {
    String name = node == null || node.isBlank() ? HOST : node.replace('/', '_');
    LOCAL_NODES.add(name);
    String owner = name + "/" + ProcessHandle.current().pid() + "/" + hex();
    LIVE.add(owner);
    return owner;
  }

  public static void release(String owner) {
    LIVE.remove(owner);
  }

  /** True for an owner that is a dead process of this host (or a closed engine of this one). */
  public static boolean gone(String owner) {
    String[] parts = owner.split("/");
    if (parts.length != 3) {
      return owner.isEmpty();
    }
    long pid;
    try {
      pid = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      return false;
    }
    if (pid == ProcessHandle.current().pid() && LOCAL_NODES.contains(parts[0])) {
      return !LIVE.contains(owner);
    }
    if (!parts[0].equals(HOST)) {
      return false; // another node: only its lease tells
    }
    return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
  }

  private static String hex() {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName().replace('/', '_');
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
