package ai.sophia.agent;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Random ids with a readable prefix: {@code run_3f9a…}. Unguessable (80 random bits from a
 * cryptographic generator), because a session id continues a conversation.
 *
 * <p>Concurrency: one shared {@link SecureRandom} is one lock, and 10,000 runs starting at once
 * queued on it (459 of them at one moment in a thread dump). The ids come from one of several DRBG
 * instances, each with its own lock, picked by thread id.
 */
final class Ids {
  private static final SecureRandom[] RANDOMS = new SecureRandom[16];

  static {
    for (int i = 0; i < RANDOMS.length; i++) {
      RANDOMS[i] = drbg();
    }
  }

  private Ids() {}

  static String next(String prefix) {
    byte[] bytes = new byte[10];
    RANDOMS[(int) (Thread.currentThread().threadId() & (RANDOMS.length - 1))].nextBytes(bytes);
    return prefix + "_" + HexFormat.of().formatHex(bytes);
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }
}
