package ai.sophia.agent;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random ids with a readable prefix: {@code run_3f9a…}. */
final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  static String next(String prefix) {
    byte[] bytes = new byte[10];
    RANDOM.nextBytes(bytes);
    return prefix + "_" + HexFormat.of().formatHex(bytes);
  }
}
