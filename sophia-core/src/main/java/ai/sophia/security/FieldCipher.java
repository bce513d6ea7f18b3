package ai.sophia.security;

import ai.sophia.error.ConfigException;
import ai.sophia.error.StorageException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption at rest of sensitive columns: AES-256-GCM from the JDK (no home-made primitive), a
 * fresh 96-bit nonce per value, and the column's name as associated data, so a sealed value copied
 * into another column does not open. A sealed value is text, {@code sophia:enc:v1:<key id>:<base64
 * of nonce and ciphertext>}, so it fits the TEXT columns it replaces.
 *
 * <p>Keys come as a keyring: the first key seals, every key opens (the older ones while {@link
 * Reencryption} moves their values to the first). Without keys ({@link #none}) values are stored as
 * they are; a plaintext value (written before encryption was configured) always opens as itself.
 */
public final class FieldCipher {
  static final String PREFIX = "sophia:enc:v1:";
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final FieldCipher NONE = new FieldCipher(Map.of(), null);

  private final Map<String, SecretKey> keys;
  private final String primary;

  private FieldCipher(Map<String, SecretKey> keys, String primary) {
    this.keys = keys;
    this.primary = primary;
  }

  /** No encryption: values are stored and read as they are. */
  public static FieldCipher none() {
    return NONE;
  }

  /**
   * A keyring from its text: entries {@code <id>:<base64 of 32 bytes>} separated by commas or
   * newlines (blank lines and {@code #} comments are skipped); the first entry seals.
   *
   * @throws ConfigException naming what is wrong with an entry (never the key material)
   */
  public static FieldCipher parse(String keyring, String origin) {
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    int n = 0;
    for (String raw : keyring.split("[,\\n]")) {
      String entry = raw.strip();
      if (entry.isEmpty() || entry.startsWith("#")) {
        continue;
      }
      n++;
      int colon = entry.indexOf(':');
      String id = colon < 0 ? "" : entry.substring(0, colon);
      if (!KEY_ID.matcher(id).matches()) {
        problems.add(
            origin
                + ": entry "
                + n
                + " must be '<id>:<base64 key>' with an id of 1-32 of [A-Za-z0-9_-]");
        continue;
      }
      byte[] material;
      try {
        material = Base64.getDecoder().decode(entry.substring(colon + 1).strip());
      } catch (IllegalArgumentException e) {
        problems.add(origin + ": key '" + id + "' is not valid base64");
        continue;
      }
      if (material.length != 32) {
        problems.add(
            origin
                + ": key '"
                + id
                + "' is "
                + material.length
                + " bytes; AES-256 needs 32 (openssl rand -base64 32)");
        continue;
      }
      if (keys.putIfAbsent(id, new SecretKeySpec(material, "AES")) != null) {
        problems.add(origin + ": key id '" + id + "' appears twice");
      }
    }
    if (problems.isEmpty() && keys.isEmpty()) {
      problems.add(origin + " holds no key");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new FieldCipher(Map.copyOf(keys), keys.keySet().iterator().next());
  }

  /** Whether values are sealed on write. */
  public boolean enabled() {
    return primary != null;
  }

  /** The id of the key new values are sealed with; empty without encryption. */
  public String primaryKeyId() {
    return primary == null ? "" : primary;
  }

  /**
   * A key for {@code purpose} derived from the primary key (HMAC-SHA256 of the purpose, so the
   * primary key itself signs nothing): the same on every node with this keyring, which nodes
   * sharing a database must have. Empty without encryption. Changes when another key becomes
   * primary.
   */
  public Optional<byte[]> derive(String purpose) {
    if (primary == null) {
      return Optional.empty();
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(keys.get(primary).getEncoded(), "HmacSHA256"));
      return Optional.of(mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable: " + e.getMessage(), e);
    }
  }

  /** {@code plain} sealed for {@code column} (e.g. {@code approvals.arguments_json}). */
  public String seal(String column, String plain) {
    if (primary == null || plain == null) {
      return plain;
    }
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
      aes.init(Cipher.ENCRYPT_MODE, keys.get(primary), new GCMParameterSpec(TAG_BITS, nonce));
      aes.updateAAD(column.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = aes.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed);
      return PREFIX + primary + ":" + Base64.getEncoder().encodeToString(out.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable: " + e.getMessage(), e);
    }
  }

  /**
   * The plaintext of a stored value of {@code column}: a sealed one opened, any other as it is.
   *
   * @throws StorageException when the value is sealed with a key this keyring lacks, or does not
   *     open (altered, or moved from another column)
   */
  public String open(String column, String stored) {
    if (stored == null || !stored.startsWith(PREFIX)) {
      return stored;
    }
    int colon = stored.indexOf(':', PREFIX.length());
    String id = colon < 0 ? "" : stored.substring(PREFIX.length(), colon);
    SecretKey key = keys.get(id);
    if (key == null) {
      throw new StorageException(
          "a value of "
              + column
              + " is encrypted with key '"
              + id
              + "', which security.encryption does not hold");
    }
    try {
      byte[] all = Base64.getDecoder().decode(stored.substring(colon + 1));
      Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
      aes.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      aes.updateAAD(column.getBytes(StandardCharsets.UTF_8));
      return new String(
          aes.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new StorageException(
          "a value of " + column + " does not decrypt: it was altered or belongs elsewhere", e);
    }
  }

  /** The id of the key {@code stored} is sealed with; empty for a plaintext value. */
  public static String keyIdOf(String stored) {
    if (stored == null || !stored.startsWith(PREFIX)) {
      return "";
    }
    int colon = stored.indexOf(':', PREFIX.length());
    return colon < 0 ? "" : stored.substring(PREFIX.length(), colon);
  }

  /** Whether {@code stored} should be sealed again: plaintext, or sealed with an older key. */
  public boolean stale(String stored) {
    return enabled() && stored != null && !keyIdOf(stored).equals(primary);
  }

  @Override
  public String toString() {
    return enabled() ? "AES-256-GCM, keys " + keys.keySet() + ", sealing with " + primary : "none";
  }
}
