package ai.sophia.swarm;

import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Engine owner names, {@code host/pid/random}, and whether one is gone: a run held by a process of
 * this host that no longer lives (or by a closed engine of this process) may be resumed at once,
 * without waiting for its lease to expire.
 */
final class Owners {
  private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();
  private static final String HOST = hostName();

  private Owners() {}

  /** A new owner name for an engine of this process. */
  static String register() {
    String owner = HOST + "/" + ProcessHandle.current().pid() + "/" + SwarmIds.hex(4);
    LIVE.add(owner);
    return owner;
  }

  static void release(String owner) {
    LIVE.remove(owner);
  }

  /** True for an owner that is a dead process of this host (or a closed engine of this one). */
  static boolean gone(String owner) {
    String[] parts = owner.split("/");
    if (parts.length != 3 || !parts[0].equals(HOST)) {
      return owner.isEmpty();
    }
    long pid;
    try {
      pid = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      return false;
    }
    if (pid == ProcessHandle.current().pid()) {
      return !LIVE.contains(owner);
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
