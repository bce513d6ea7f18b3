package ai.sophia.swarm;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Run ids {@code swarm-<20 hex>} and random suffixes. */
final class SwarmIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private SwarmIds() {}

  /**
   * 48 bits of the current millisecond then 32 random bits, like a UUIDv7: the runs in flight are
   * the newest, so their rows (keyed by run id in all three tables) sit together at the end of each
   * index instead of all over it, and a commit dirties few pages.
   */
  static String run() {
    return "swarm-"
        + String.format("%012x", System.currentTimeMillis() & 0xFFFF_FFFF_FFFFL)
        + hex(4);
  }

  static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
