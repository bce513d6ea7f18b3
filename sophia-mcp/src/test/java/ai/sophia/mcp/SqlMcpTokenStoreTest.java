package ai.sophia.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.mcp.McpTokenStore.StoredToken;
import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import ai.sophia.security.FieldCipher;
import ai.sophia.security.Reencryption;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code mcp_tokens} on SQLite and PostgreSQL: one token per server, sealed, re-sealed on rotation.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class SqlMcpTokenStoreTest {
  private static final String OLD_KEY = "k1:" + "A".repeat(43) + "=";
  private static final String NEW_KEY = "k2:" + "C".repeat(43) + "=";

  @Parameter Backend backend;
  @TempDir Path dir;

  @Test
  void save_replacesTheServersToken_findReadsItBack() {
    try (Database db = backend.open(dir)) {
      SqlMcpTokenStore store = new SqlMcpTokenStore(db, Clock.systemUTC());
      assertThat(store.find("crm")).isEmpty();

      store.save("crm", token("first", 0));
      store.save("crm", token("second", 1_900_000_000_000L));
      store.save("gong", token("third", 0));

      assertThat(store.find("crm")).contains(token("second", 1_900_000_000_000L));
      assertThat(store.find("gong")).contains(token("third", 0));
      store.delete("crm");
      assertThat(store.find("crm")).isEmpty();
    }
  }

  @Test
  void sealedAtRest_rotationReSealsWithTheNewKey() {
    Database plain = backend.open(dir);
    try (Database db = plain.sealedWith(FieldCipher.parse(OLD_KEY, "test"))) {
      new SqlMcpTokenStore(db, Clock.systemUTC()).save("crm", token("plain-access-token", 0));
      assertThat(stored(plain))
          .startsWith("sophia:enc:v1:k1:")
          .doesNotContain("plain-access-token");
    }
    Database reopened = backend.open(dir);
    try (Database db = reopened.sealedWith(FieldCipher.parse(NEW_KEY + "," + OLD_KEY, "test"))) {
      Reencryption.Pass pass = new Reencryption(db).run();

      assertThat(pass.resealed()).isEqualTo(3);
      assertThat(pass.remaining()).isZero();
      assertThat(stored(reopened)).startsWith("sophia:enc:v1:k2:").doesNotContain(":k1:");
      assertThat(new SqlMcpTokenStore(db, Clock.systemUTC()).find("crm"))
          .contains(token("plain-access-token", 0));
    }
  }

  private static StoredToken token(String access, long expiresAt) {
    return new StoredToken(
        "authorization_code dcr https://mcp.example.com/mcp",
        access,
        expiresAt,
        "refresh-" + access,
        "https://as.example.com/token",
        "https://mcp.example.com/mcp",
        "registered-client",
        "registered-secret",
        "client_secret_basic",
        "mcp:read mcp:write");
  }

  private static String stored(Database plain) {
    return plain.withHandle(
        h ->
            h.createQuery(
                    "SELECT access_token || ' ' || refresh_token || ' ' || client_secret"
                        + " FROM mcp_tokens")
                .mapTo(String.class)
                .one());
  }
}
