package ai.sophia.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.memory.SqliteDatabase;
import ai.sophia.security.IssuedKey;
import ai.sophia.security.Role;
import ai.sophia.security.SqlApiKeyStore;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyAuthenticatorTest {
  @TempDir Path dir;

  @Test
  void authenticate_revokedAfterUse_stopsWorkingOnceTheCacheTtlPasses()
      throws InterruptedException {
    try (SqliteDatabase database = SqliteDatabase.open(dir)) {
      SqlApiKeyStore store = new SqlApiKeyStore(database);
      ApiKeyAuthenticator authenticator = new ApiKeyAuthenticator(store, Duration.ofMillis(300));
      IssuedKey issued = store.create("ci", Role.user);
      assertThat(authenticator.authenticate(issued.secret())).isPresent();

      store.revoke(issued.key().id());
      Thread.sleep(600);

      assertThat(authenticator.authenticate(issued.secret())).isEmpty();
    }
  }

  @Test
  void authenticate_unknownOrOversizedSecret_empty() {
    try (SqliteDatabase database = SqliteDatabase.open(dir)) {
      ApiKeyAuthenticator authenticator =
          new ApiKeyAuthenticator(new SqlApiKeyStore(database), Duration.ofSeconds(5));

      assertThat(authenticator.authenticate("sk-sophia-unknown")).isEmpty();
      assertThat(authenticator.authenticate("x".repeat(10_000))).isEmpty();
      assertThat(authenticator.authenticate("")).isEmpty();
    }
  }
}
