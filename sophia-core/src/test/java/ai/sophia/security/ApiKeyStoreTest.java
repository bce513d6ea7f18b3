package ai.sophia.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The store's contract, on SQLite and on PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class ApiKeyStoreTest {
  @Parameter Backend backend;

  @TempDir Path dir;

  @Test
  void create_newKey_secretAndIdHaveDocumentedShape() {
    try (Database db = backend.open(dir)) {
      IssuedKey issued = new SqlApiKeyStore(db).create("ci", Role.developer);
      assertThat(issued.secret()).matches("sk-sophia-[A-Za-z0-9_-]{43}");
      assertThat(issued.key().id()).matches("key_[0-9a-f]{12}");
      assertThat(issued.key().prefix())
          .hasSize(8)
          .isEqualTo(issued.secret().substring("sk-sophia-".length(), "sk-sophia-".length() + 8));
      assertThat(issued.key().active()).isTrue();
      assertThat(issued.toString()).doesNotContain(issued.secret());
    }
  }

  @Test
  void expiringKey_worksUntilItsTime_thenIsRefusedAndNotCountedActive() throws Exception {
    try (Database db = backend.open(dir)) {
      SqlApiKeyStore store = new SqlApiKeyStore(db);
      IssuedKey soon = store.create("short", Role.user, Optional.of(Instant.now().plusMillis(400)));
      IssuedKey forever = store.create("long", Role.admin);
      assertThat(store.authenticate(soon.secret())).isPresent();
      assertThat(store.countActive()).isEqualTo(2);

      Thread.sleep(500);
      assertThat(store.authenticate(soon.secret())).isEmpty();
      assertThat(store.authenticate(forever.secret())).isPresent();
      assertThat(store.countActive()).isEqualTo(1);
      ApiKey listed =
          store.list().stream().filter(k -> k.id().equals(soon.key().id())).findFirst().get();
      assertThat(listed.expiresAt()).isPresent();
      assertThat(listed.active()).isFalse();
      assertThatThrownBy(
              () -> store.create("past", Role.user, Optional.of(Instant.now().minusSeconds(1))))
          .isInstanceOfSatisfying(
              InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("expires_at"));
    }
  }

  @Test
  void rotate_newSecretSameNameAndRole_oldWorksThroughItsGraceOnly() throws Exception {
    try (Database db = backend.open(dir)) {
      SqlApiKeyStore store = new SqlApiKeyStore(db);
      IssuedKey old =
          store.create("ci", Role.developer, Optional.of(Instant.now().plus(Duration.ofDays(90))));

      IssuedKey next = store.rotate(old.key().id(), Instant.now().plusMillis(400));
      assertThat(next.key().id()).isNotEqualTo(old.key().id());
      assertThat(next.key().name()).isEqualTo("ci");
      assertThat(next.key().role()).isEqualTo(Role.developer);
      assertThat(next.key().expiresAt().orElseThrow())
          .isAfter(Instant.now().plus(Duration.ofDays(89)))
          .isBefore(Instant.now().plus(Duration.ofDays(91)));
      assertThat(store.authenticate(old.secret())).isPresent();
      assertThat(store.authenticate(next.secret())).isPresent();

      Thread.sleep(500);
      assertThat(store.authenticate(old.secret())).isEmpty();
      assertThat(store.authenticate(next.secret()).orElseThrow().id()).isEqualTo(next.key().id());
      assertThatThrownBy(() -> store.rotate(old.key().id(), Instant.now()))
          .isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> store.rotate("key_missing", Instant.now()))
          .isInstanceOf(NotFoundException.class);
    }
  }

  @Test
  void create_blankOrLongName_rejectedNamingField() {
    try (Database db = backend.open(dir)) {
      SqlApiKeyStore store = new SqlApiKeyStore(db);
      assertThatThrownBy(() -> store.create(" ", Role.user))
          .isInstanceOfSatisfying(
              InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("name"));
      assertThatThrownBy(() -> store.create("x".repeat(101), Role.user))
          .isInstanceOf(InvalidInputException.class);
      assertThat(store.list()).isEmpty();
    }
  }

  @Test
  void authenticate_issuedSecret_returnsThatKey() {
    try (Database db = backend.open(dir)) {
      SqlApiKeyStore store = new SqlApiKeyStore(db);
      IssuedKey admin = store.create("admin", Role.admin);
      IssuedKey user = store.create("user", Role.user);
      assertThat(store.authenticate(admin.secret())).contains(admin.key());
      assertThat(store.authenticate(user.secret()).orElseThrow().role()).isEqualTo(Role.user);
    }
  }

  @Test
  void authenticate_wrongOrMalformedSecret_empty() {
    try (Database db = backend.open(dir)) {
      SqlApiKeyStore store = new SqlApiKeyStore(db);
      String secret = store.create("k", Role.user).secret();
      char last = secret.charAt(secret.length() - 1);
      String oneCharOff = secret.substring(0, secret.length() - 1) + (last == 'A' ? 'B' : 'A');
      assertThat(store.authenticate(oneCharOff)).isEmpty();
      assertThat(store.authenticate(secret + "x")).isEmpty();
      assertThat(store.authenticate("")).isEmpty();
      assertThat(store.authenticate(null)).isEmpty();
    }
  }

  @Test
  void revoke_activeKey_neverAuthenticatesAgain() {
    try (Database db = backend.open(dir)) {
      SqlApiKeyStore store = new SqlApiKeyStore(db);
      IssuedKey issued = store.create("k", Role.user);
      IssuedKey other = store.create("other", Role.user);
      assertThat(store.revoke(issued.key().id())).isTrue();
      assertThat(store.revoke(issued.key().id())).isFalse();
      assertThat(store.revoke("key_000000000000")).isFalse();
      assertThat(store.authenticate(issued.secret())).isEmpty();
      assertThat(store.authenticate(other.secret())).isPresent();
      assertThat(store.countActive()).isEqualTo(1);
    }
  }

  @Test
  void list_afterRevoke_newestFirstIncludingRevoked() throws Exception {
    try (Database db = backend.open(dir)) {
      SqlApiKeyStore store = new SqlApiKeyStore(db);
      IssuedKey first = store.create("first", Role.admin);
      IssuedKey second = store.create("second", Role.readonly);
      store.revoke(first.key().id());
      List<ApiKey> keys = store.list();
      assertThat(keys).extracting(ApiKey::name).containsExactly("second", "first");
      assertThat(keys.get(1).revokedAt()).isPresent();
      assertThat(keys.get(1).active()).isFalse();
      assertThat(keys.get(0).role()).isEqualTo(Role.readonly);
    }
  }

  @Test
  void create_secret_neverWrittenToDisk() throws Exception {
    String secret;
    try (Database db = backend.open(dir)) {
      secret = new SqlApiKeyStore(db).create("k", Role.admin).secret();
    }
    String hash =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
    StringBuilder everything = new StringBuilder();
    if (backend == Backend.sqlite) {
      try (Stream<Path> files = Files.list(dir)) { // sophia.db and any -wal / -shm beside it
        for (Path f : files.toList()) {
          everything.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
        }
      }
    } else { // the server's files are its own: every column of every row instead
      try (Database db = backend.open(dir)) {
        db.useHandle(
            h ->
                h.createQuery("SELECT * FROM api_keys")
                    .mapToMap()
                    .forEach(row -> everything.append(row.values())));
      }
    }
    assertThat(everything.toString()).contains(hash); // the check can see what was stored
    assertThat(everything.toString()).doesNotContain(secret.substring("sk-sophia-".length()));
  }

  @Test
  void authenticate_afterReopen_stillWorks() {
    String secret;
    try (Database db = backend.open(dir)) {
      secret = new SqlApiKeyStore(db).create("k", Role.admin).secret();
    }
    try (Database db = backend.open(dir)) {
      assertThat(new SqlApiKeyStore(db).authenticate(secret)).isPresent();
    }
  }
}
