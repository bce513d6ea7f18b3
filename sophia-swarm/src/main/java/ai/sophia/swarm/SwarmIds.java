package ai.sophia.swarm;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Run ids {@code swarm-<20 hex>} and the engine's owner name. */
final class SwarmIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private SwarmIds() {}

  static String run() {
    return "swarm-" + hex(10);
  }

  static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
