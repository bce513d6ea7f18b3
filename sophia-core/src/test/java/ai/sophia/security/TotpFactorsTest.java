package ai.sophia.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.ConflictException;
import ai.sophia.error.NotFoundException;
import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The second factor's contract, on SQLite and PostgreSQL, against RFC 6238's own test vector. */
@ParameterizedClass
@EnumSource(Backend.class)
class TotpFactorsTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-12-02T10:00:00Z"));
  private final Clock clock =
      new Clock() {
        @Override
        public Instant instant() {
          return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }
      };

  @Test
  void code_matchesTheRfc6238TestVector() {
    // RFC 6238, appendix B: the SHA-1 secret "12345678901234567890", T = 59 s → 94287082 (8
    // digits); its last 6 digits are the 6-digit code.
    String secret =
        new org.apache.commons.codec.binary.Base32()
            .encodeToString(
                "12345678901234567890".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(TotpFactors.code(secret, Instant.ofEpochSecond(59))).isEqualTo("287082");
    assertThat(TotpFactors.code(secret, Instant.ofEpochSecond(1111111109))).isEqualTo("081804");
  }

  @Test
  void enrolConfirmVerify_eachStepOnce_driftOfOneStep_removedThenNotRequired() {
    try (Database db = backend.open(dir)) {
      ApiKey key = new SqlApiKeyStore(db).create("ops", Role.admin).key();
      TotpFactors factors = new TotpFactors(db, clock);

      TotpFactors.Enrollment e = factors.enroll(key);
      assertThat(e.uri())
          .startsWith("otpauth://totp/Sophia%3Aops?secret=" + e.secret())
          .contains("issuer=Sophia", "digits=6", "period=30");
      assertThat(e.toString()).doesNotContain(e.secret());
      assertThat(factors.required(key.id())).isFalse(); // pending until confirmed

      assertThat(factors.confirm(key.id(), "000000".equals(code(e)) ? "111111" : "000000"))
          .isFalse();
      assertThat(factors.confirm(key.id(), code(e))).isTrue();
      assertThat(factors.required(key.id())).isTrue();
      assertThat(factors.verify(key.id(), code(e))).as("the confirming code, again").isFalse();

      now.set(now.get().plusSeconds(30));
      String current = code(e);
      assertThat(factors.verify(key.id(), current)).isTrue();
      assertThat(factors.verify(key.id(), current)).as("a code counts once").isFalse();

      now.set(now.get().plusSeconds(60));
      String late = TotpFactors.code(e.secret(), now.get().minusSeconds(30));
      assertThat(factors.verify(key.id(), late)).as("one step late").isTrue();
      String early = TotpFactors.code(e.secret(), now.get().plusSeconds(30));
      assertThat(factors.verify(key.id(), early)).as("one step early").isTrue();
      String stale = TotpFactors.code(e.secret(), now.get().minus(Duration.ofMinutes(5)));
      assertThat(factors.verify(key.id(), stale)).isFalse();
      assertThat(factors.verify(key.id(), "12345")).isFalse();
      assertThat(factors.verify(key.id(), null)).isFalse();

      assertThatThrownBy(() -> factors.enroll(key)).isInstanceOf(ConflictException.class);
      assertThat(factors.remove(key.id())).isTrue();
      assertThat(factors.required(key.id())).isFalse();
      assertThat(factors.remove(key.id())).isFalse();
      assertThatThrownBy(() -> factors.confirm(key.id(), "123456"))
          .isInstanceOf(NotFoundException.class);
    }
  }

  @Test
  void sealedAtRest_theDatabaseHoldsNoPlainSecret() {
    Database plain = backend.open(dir);
    // Closing the sealed database closes the one under it.
    try (Database db = plain.sealedWith(FieldCipher.parse("k1:" + "A".repeat(43) + "=", "test"))) {
      ApiKey key = new SqlApiKeyStore(db).create("ops", Role.admin).key();
      TotpFactors factors = new TotpFactors(db, clock);
      TotpFactors.Enrollment e = factors.enroll(key);
      assertThat(factors.confirm(key.id(), code(e))).isTrue();

      String stored =
          plain.withHandle(
              h -> h.createQuery("SELECT secret FROM key_totp").mapTo(String.class).one());
      byte[] raw = new org.apache.commons.codec.binary.Base32().decode(e.secret());
      assertThat(stored)
          .startsWith("sophia:enc:v1:k1:")
          .doesNotContain(java.util.Base64.getEncoder().encodeToString(raw))
          .doesNotContain(e.secret());
    }
  }

  private String code(TotpFactors.Enrollment e) {
    return TotpFactors.code(e.secret(), now.get());
  }
}
