package ai.sophia.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.ConfigException;
import ai.sophia.error.StorageException;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class FieldCipherTest {
  static final String K1 = "k1:" + Base64.getEncoder().encodeToString(new byte[32]);
  static final String K2 = "k2:" + Base64.getEncoder().encodeToString(bytes(32, 7));

  static byte[] bytes(int n, int value) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }

  @Test
  void sealed_opensToThePlaintext_freshNonceEachTime_plaintextPassesThrough() {
    FieldCipher c = FieldCipher.parse(K1, "test");
    String a = c.seal("t.c", "the secret plan");
    String b = c.seal("t.c", "the secret plan");

    assertThat(a).startsWith("sophia:enc:v1:k1:").doesNotContain("secret").isNotEqualTo(b);
    assertThat(c.open("t.c", a)).isEqualTo("the secret plan");
    assertThat(c.open("t.c", "written before encryption")).isEqualTo("written before encryption");
    assertThat(FieldCipher.none().seal("t.c", "plain")).isEqualTo("plain");
  }

  @Test
  void derive_sameKeyringSameKey_purposeAndPrimarySeparate_noneWithoutEncryption() {
    byte[] one = FieldCipher.parse(K1 + "," + K2, "node a").derive("cookies").orElseThrow();

    assertThat(FieldCipher.parse(K1 + "," + K2, "node b").derive("cookies")).contains(one);
    assertThat(one).hasSize(32).isNotEqualTo(new byte[32]);
    assertThat(FieldCipher.parse(K1, "test").derive("other").orElseThrow()).isNotEqualTo(one);
    assertThat(FieldCipher.parse(K2 + "," + K1, "test").derive("cookies").orElseThrow())
        .isNotEqualTo(one);
    assertThat(FieldCipher.none().derive("cookies")).isEmpty();
  }

  @Test
  void valueMovedToAnotherColumn_orAltered_doesNotOpen() {
    FieldCipher c = FieldCipher.parse(K1, "test");
    String sealed = c.seal("approvals.arguments_json", "{\"path\":\"x\"}");
    assertThatThrownBy(() -> c.open("agent_runs.input", sealed))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("does not decrypt");
    // One character of the ciphertext changed, in the middle (the last ones may be padding bits).
    int at = sealed.lastIndexOf(':') + (sealed.length() - sealed.lastIndexOf(':')) / 2;
    String altered =
        sealed.substring(0, at) + (sealed.charAt(at) == 'A' ? 'B' : 'A') + sealed.substring(at + 1);
    assertThatThrownBy(() -> c.open("approvals.arguments_json", altered))
        .isInstanceOf(StorageException.class);
  }

  @Test
  void keyring_firstSeals_allOpen_missingKeyNamed() {
    String sealedWithK1 = FieldCipher.parse(K1, "test").seal("t.c", "old");
    FieldCipher rotated = FieldCipher.parse(K2 + "\n" + K1, "test");

    assertThat(rotated.primaryKeyId()).isEqualTo("k2");
    assertThat(rotated.open("t.c", sealedWithK1)).isEqualTo("old");
    assertThat(rotated.stale(sealedWithK1)).isTrue();
    assertThat(rotated.stale(rotated.seal("t.c", "new"))).isFalse();
    assertThatThrownBy(() -> FieldCipher.parse(K2, "test").open("t.c", sealedWithK1))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("key 'k1'");
  }

  @Test
  void badKeyrings_refusedNamingTheEntry_neverTheKey() {
    String shortKey = "a:" + Base64.getEncoder().encodeToString(new byte[16]);
    assertThatThrownBy(() -> FieldCipher.parse(shortKey, "SOPHIA_ENCRYPTION_KEYS"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("16 bytes; AES-256 needs 32")
        .hasMessageNotContaining(shortKey.substring(2));
    assertThatThrownBy(() -> FieldCipher.parse("no-colon-here", "f"))
        .hasMessageContaining("entry 1 must be '<id>:<base64 key>'");
    assertThatThrownBy(() -> FieldCipher.parse("k:not base64!", "f"))
        .hasMessageContaining("not valid base64");
    assertThatThrownBy(() -> FieldCipher.parse(K1 + "," + K1, "f"))
        .hasMessageContaining("appears twice");
    assertThatThrownBy(() -> FieldCipher.parse("# only a comment\n", "f"))
        .hasMessageContaining("holds no key");
  }
}
