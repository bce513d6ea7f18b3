package ai.sophia.security;

import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.memory.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link ApiKeyStore} in the {@code api_keys} table.
 *
 * <p>A secret is {@code sk-sophia-} followed by 43 base64url characters (32 random bytes). Only its
 * SHA-256 (hex) and the first 8 random characters (to tell keys apart in listings) are stored. A
 * plain hash suffices because the secret has 256 bits of entropy: there is nothing to guess that a
 * slow hash would protect.
 */
public final class SqlApiKeyStore implements ApiKeyStore {
  static final String SECRET_PREFIX = "sk-sophia-";
  private static final int SECRET_BYTES = 32;
  private static final int SECRET_LENGTH = SECRET_PREFIX.length() + 43;
  private static final int DISPLAY_CHARS = 8;
  private static final int MAX_LISTED = 10_000;
  private static final int MAX_NAME = 100;
  private static final String COLUMNS =
      "id, name, role, prefix, created_at, revoked_at, expires_at";
  private static final String ACTIVE =
      "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > :now)";

  private final Database db;
  private final SecureRandom random = new SecureRandom();

  public SqlApiKeyStore(Database database) {
    this.db = Objects.requireNonNull(database, "database");
  }

  @Override
  public IssuedKey create(String name, Role role, Optional<Instant> expiresAt) {
    return insert(name, role, expiresAt, null);
  }

  private IssuedKey insert(String name, Role role, Optional<Instant> expiresAt, String from) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (name.isBlank() || name.length() > MAX_NAME) {
      throw new InvalidInputException("name", "a key name must be 1.." + MAX_NAME + " characters");
    }
    byte[] secretBytes = new byte[SECRET_BYTES];
    random.nextBytes(secretBytes);
    String body = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
    String secret = SECRET_PREFIX + body;
    byte[] idBytes = new byte[6];
    random.nextBytes(idBytes);
    ApiKey key =
        new ApiKey(
            "key_" + HexFormat.of().formatHex(idBytes),
            name,
            role,
            body.substring(0, DISPLAY_CHARS),
            Instant.ofEpochMilli(System.currentTimeMillis()),
            Optional.empty(),
            expiresAt);
    if (expiresAt.isPresent() && !expiresAt.get().isAfter(key.createdAt())) {
      throw new InvalidInputException("expires_at", "a key must expire in the future");
    }
    db.useHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO api_keys (id, name, role, prefix, key_hash, created_at,"
                        + " expires_at, rotated_from) VALUES (:id, :name, :role, :prefix, :hash,"
                        + " :at, :expires, :from)")
                .bind("id", key.id())
                .bind("name", key.name())
                .bind("role", key.role().name())
                .bind("prefix", key.prefix())
                .bind("hash", HexFormat.of().formatHex(sha256(secret)))
                .bind("at", key.createdAt().toEpochMilli())
                .bind("expires", expiresAt.map(Instant::toEpochMilli).orElse(null))
                .bind("from", from)
                .execute());
    return new IssuedKey(key, secret);
  }

  @Override
  public IssuedKey rotate(String id, Instant oldWorksUntil) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(oldWorksUntil, "oldWorksUntil");
    Instant now = Instant.now();
    ApiKey old =
        list().stream()
            .filter(k -> k.id().equals(id) && k.activeAt(now))
            .findFirst()
            .orElseThrow(() -> new NotFoundException("no active API key with id '" + id + "'"));
    Optional<Instant> expires =
        old.expiresAt().map(e -> now.plus(Duration.between(old.createdAt(), e)));
    IssuedKey issued = insert(old.name(), old.role(), expires, old.id());
    Instant until = old.expiresAt().filter(e -> e.isBefore(oldWorksUntil)).orElse(oldWorksUntil);
    db.useHandle(
        h ->
            h.createUpdate("UPDATE api_keys SET expires_at = :until WHERE id = :id")
                .bind("until", until.toEpochMilli())
                .bind("id", id)
                .execute());
    return issued;
  }

  /** Newest first, revoked keys included; at most 10,000. */
  @Override
  public List<ApiKey> list() {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM api_keys ORDER BY created_at DESC, rowid DESC LIMIT :n")
                .bind("n", MAX_LISTED)
                .map(SqlApiKeyStore::row)
                .list());
  }

  @Override
  public boolean revoke(String id) {
    Objects.requireNonNull(id, "id");
    int changed =
        db.withHandle(
            h ->
                h.createUpdate(
                        "UPDATE api_keys SET revoked_at = :at WHERE id = :id AND revoked_at IS"
                            + " NULL")
                    .bind("at", System.currentTimeMillis())
                    .bind("id", id)
                    .execute());
    return changed > 0;
  }

  @Override
  public Optional<ApiKey> authenticate(String secret) {
    if (secret == null || secret.length() != SECRET_LENGTH || !secret.startsWith(SECRET_PREFIX)) {
      return Optional.empty();
    }
    byte[] hash = sha256(secret);
    String hex = HexFormat.of().formatHex(hash);
    Optional<Stored> found =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT "
                            + COLUMNS
                            + ", key_hash FROM api_keys"
                            + " WHERE key_hash = :hash AND "
                            + ACTIVE
                            + " LIMIT 1")
                    .bind("hash", hex)
                    .bind("now", System.currentTimeMillis())
                    .map((rs, ctx) -> new Stored(row(rs, ctx), rs.getString("key_hash")))
                    .findOne());
    // The index finds the row; the decision itself is a constant-time comparison.
    return found
        .filter(s -> MessageDigest.isEqual(HexFormat.of().parseHex(s.hash()), hash))
        .map(Stored::key);
  }

  private record Stored(ApiKey key, String hash) {}

  @Override
  public long countActive() {
    return db.withHandle(
        h ->
            h.createQuery("SELECT COUNT(*) FROM api_keys WHERE " + ACTIVE)
                .bind("now", System.currentTimeMillis())
                .mapTo(Long.class)
                .one());
  }

  private static ApiKey row(ResultSet rs, StatementContext ctx) throws SQLException {
    Optional<Instant> revokedAt = optionalInstant(rs, "revoked_at");
    return new ApiKey(
        rs.getString("id"),
        rs.getString("name"),
        Role.valueOf(rs.getString("role")),
        rs.getString("prefix"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        revokedAt,
        optionalInstant(rs, "expires_at"));
  }

  private static Optional<Instant> optionalInstant(ResultSet rs, String column)
      throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
  }

  private static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }
}
