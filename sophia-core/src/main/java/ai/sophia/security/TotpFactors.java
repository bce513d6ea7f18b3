package ai.sophia.security;

import ai.sophia.error.ConflictException;
import ai.sophia.error.NotFoundException;
import ai.sophia.memory.Database;
import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;

/**
 * A second factor for signing in with an admin key: TOTP (RFC 6238; 6 digits, 30-second steps,
 * HMAC-SHA1, the defaults every authenticator app reads from an {@code otpauth://} URI), computed
 * by java-otp. A key enrols ({@link #enroll}: a new 160-bit secret, shown once), confirms with a
 * first code ({@link #confirm}), and from then on a sign-in with it needs a code ({@link #verify}).
 * A code is accepted one step early or late (clock drift), and each step counts once: a code seen
 * by someone looking over a shoulder does not work a second time. Secrets are in {@code key_totp},
 * sealed at rest when an encryption key is configured.
 */
public final class TotpFactors {
  /** What an authenticator app needs, shown once at enrolment. */
  public record Enrollment(String secret, String uri) {
    @Override
    public String toString() {
      return "Enrollment[<redacted>]";
    }
  }

  private static final int SECRET_BYTES = 20;
  private static final Duration STEP = Duration.ofSeconds(30);
  private static final String ISSUER = "Sophia";

  private final Database db;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final TimeBasedOneTimePasswordGenerator totp =
      new TimeBasedOneTimePasswordGenerator(STEP);

  public TotpFactors(Database db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A new secret for {@code key} (replacing a pending enrolment; a confirmed one must be removed
   * first), not in force until {@link #confirm}ed.
   *
   * @throws ConflictException when the key has a confirmed second factor already
   */
  public Enrollment enroll(ApiKey key) {
    if (required(key.id())) {
      throw new ConflictException(
          "key '" + key.name() + "' has a second factor already; remove it first to enrol again");
    }
    byte[] secret = new byte[SECRET_BYTES];
    random.nextBytes(secret);
    String sealed =
        db.cipher()
            .seal(SealedColumns.TOTP_SECRET.id(), Base64.getEncoder().encodeToString(secret));
    long now = clock.millis();
    db.useTransaction(
        h -> {
          h.createUpdate("DELETE FROM key_totp WHERE key_id = :id").bind("id", key.id()).execute();
          h.createUpdate(
                  "INSERT INTO key_totp (key_id, secret, created_at) VALUES (:id, :secret, :at)")
              .bind("id", key.id())
              .bind("secret", sealed)
              .bind("at", now)
              .execute();
        });
    String base32 = new Base32().encodeToString(secret).replace("=", "");
    String label = URLEncoder.encode(ISSUER + ":" + key.name(), StandardCharsets.UTF_8);
    String uri =
        "otpauth://totp/"
            + label.replace("+", "%20")
            + "?secret="
            + base32
            + "&issuer="
            + ISSUER
            + "&algorithm=SHA1&digits=6&period=30";
    return new Enrollment(base32, uri);
  }

  /**
   * Puts a pending enrolment in force when {@code code} is right for it.
   *
   * @throws NotFoundException when the key has no pending enrolment
   */
  public boolean confirm(String keyId, String code) {
    Stored stored =
        find(keyId)
            .filter(s -> s.confirmedAt() == 0)
            .orElseThrow(
                () -> new NotFoundException("key " + keyId + " has no second factor to confirm"));
    if (!accept(stored, code)) {
      return false;
    }
    db.useHandle(
        h ->
            h.createUpdate("UPDATE key_totp SET confirmed_at = :at WHERE key_id = :id")
                .bind("at", clock.millis())
                .bind("id", keyId)
                .execute());
    return true;
  }

  /** Whether signing in with this key needs a code. */
  public boolean required(String keyId) {
    return find(keyId).map(s -> s.confirmedAt() != 0).orElse(false);
  }

  /** True when {@code code} is right for the key's confirmed secret and its step is unused. */
  public boolean verify(String keyId, String code) {
    return find(keyId).filter(s -> s.confirmedAt() != 0).map(s -> accept(s, code)).orElse(false);
  }

  /** Removes the key's second factor (a lost phone); false when it had none. */
  public boolean remove(String keyId) {
    return db.withHandle(
            h ->
                h.createUpdate("DELETE FROM key_totp WHERE key_id = :id")
                    .bind("id", keyId)
                    .execute())
        > 0;
  }

  private record Stored(String keyId, byte[] secret, long confirmedAt, long lastStep) {}

  private Optional<Stored> find(String keyId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT key_id, secret, confirmed_at, last_step FROM key_totp"
                        + " WHERE key_id = :id")
                .bind("id", keyId)
                .map(
                    (rs, ctx) ->
                        new Stored(
                            rs.getString(1),
                            Base64.getDecoder()
                                .decode(
                                    db.cipher()
                                        .open(SealedColumns.TOTP_SECRET.id(), rs.getString(2))),
                            rs.getLong(3),
                            rs.getLong(4)))
                .findOne());
  }

  /** The code is one of the three steps around now and later than the last one used; uses it. */
  private boolean accept(Stored stored, String code) {
    if (code == null || !code.strip().matches("\\d{6}")) {
      return false;
    }
    int wanted = Integer.parseInt(code.strip());
    SecretKey key = new SecretKeySpec(stored.secret(), totp.getAlgorithm());
    Instant now = clock.instant();
    long step = now.getEpochSecond() / STEP.toSeconds();
    for (long s = step - 1; s <= step + 1; s++) {
      if (s <= stored.lastStep()
          || generate(key, Instant.ofEpochSecond(s * STEP.toSeconds())) != wanted) {
        continue;
      }
      long used = s;
      // Compare and set, so that two sign-ins racing with one code cannot both pass.
      int changed =
          db.withHandle(
              h ->
                  h.createUpdate(
                          "UPDATE key_totp SET last_step = :step WHERE key_id = :id"
                              + " AND last_step < :step")
                      .bind("step", used)
                      .bind("id", stored.keyId())
                      .execute());
      return changed == 1;
    }
    return false;
  }

  private int generate(SecretKey key, Instant at) {
    try {
      return totp.generateOneTimePassword(key, at);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("an HMAC-SHA1 key of 20 bytes is always valid", e);
    }
  }

  /**
   * The code for {@code secret} (base32, as enrolment shows it) at {@code at}: for tests and tools.
   */
  public static String code(String secret, Instant at) {
    TimeBasedOneTimePasswordGenerator generator = new TimeBasedOneTimePasswordGenerator(STEP);
    SecretKey key = new SecretKeySpec(new Base32().decode(secret), generator.getAlgorithm());
    try {
      return String.format("%06d", generator.generateOneTimePassword(key, at));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
