package ai.sophia.swarm;

import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Engine owner names, {@code node/pid/random} ({@code node} is {@code swarm.node_name}, by default
 * the host name), and whether one is gone: a run held by a process of this host that no longer
 * lives (or by a closed engine of this process) may be resumed at once, without waiting for its
 * lease to expire. An owner on another node is never judged here: its lease decides.
 */
final class Owners {
  private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();
  private static final Set<String> LOCAL_NODES = ConcurrentHashMap.newKeySet();
  private static final String HOST = hostName();

  private Owners() {}

  /** A new owner name for an engine of this process on node {@code node} (empty: this host). */
  static String register(String node) {
    String name = node == null || node.isBlank() ? HOST : node.replace('/', '_');
    LOCAL_NODES.add(name);
    String owner = name + "/" + ProcessHandle.current().pid() + "/" + SwarmIds.hex(4);
    LIVE.add(owner);
    return owner;
  }

  static void release(String owner) {
    LIVE.remove(owner);
  }

  /** True for an owner that is a dead process of this host (or a closed engine of this one). */
  static boolean gone(String owner) {
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

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName().replace('/', '_');
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
