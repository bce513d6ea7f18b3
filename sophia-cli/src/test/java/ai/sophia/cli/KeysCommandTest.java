package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysCommandTest {
  @TempDir Path dir;

  private CliRun keys(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--data-dir";
    all[1] = dir.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return CliRun.of(all);
  }

  @Test
  void keys_createListRevoke_roundTrip() {
    CliRun created = keys("keys", "create", "--name", "ci-bot", "--role", "READONLY");
    assertThat(created.exitCode()).as(created.err()).isZero();
    Matcher id = Pattern.compile("id (key_\\w+), role readonly").matcher(created.out());
    assertThat(id.find()).as(created.out()).isTrue();
    Matcher secret =
        Pattern.compile("^sk-sophia-(\\S{8})\\S*$", Pattern.MULTILINE).matcher(created.out());
    assertThat(secret.find()).as(created.out()).isTrue();

    CliRun listed = keys("keys", "list");
    assertThat(listed.exitCode()).isZero();
    assertThat(listed.out().lines().findFirst().orElseThrow())
        .matches("ID\\s+NAME\\s+ROLE\\s+PREFIX\\s+CREATED\\s+EXPIRES\\s+REVOKED");
    assertThat(listed.out())
        .containsPattern(
            id.group(1)
                + "\\s+ci-bot\\s+readonly\\s+"
                + Pattern.quote(secret.group(1))
                + "\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\dZ\\s+-\\s+-")
        .doesNotContain("sk-sophia-");

    CliRun revoked = keys("keys", "revoke", id.group(1));
    assertThat(revoked.exitCode()).isZero();
    assertThat(revoked.out()).contains("Revoked API key " + id.group(1));
    assertThat(keys("keys", "list").out())
        .containsPattern(
            id.group(1) + ".*\\d\\d:\\d\\dZ\\s+-\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\dZ");

    CliRun again = keys("keys", "revoke", id.group(1));
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).isEqualTo("sophia: no active API key with id '" + id.group(1) + "'\n");
  }

  @Test
  void keys_createExpiringThenRotate_newSecretPrinted_oldExpiresAfterGrace() {
    CliRun created = keys("keys", "create", "--name", "ci", "--expires-in", "90d");
    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(created.out()).containsPattern("role user, expires \\d{4}-");
    Matcher id = Pattern.compile("id (key_\\w+)").matcher(created.out());
    assertThat(id.find()).isTrue();

    CliRun rotated = keys("keys", "rotate", id.group(1), "--grace", "0m");
    assertThat(rotated.exitCode()).as(rotated.err()).isZero();
    assertThat(rotated.out())
        .containsPattern("Rotated API key " + id.group(1) + ": the new key is key_\\w+")
        .containsPattern("(?m)^sk-sophia-\\S{43}$");
    CliRun listed = keys("keys", "list");
    assertThat(listed.out().lines().filter(l -> l.contains(" ci "))).hasSize(2);

    CliRun again = keys("keys", "rotate", id.group(1));
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("no active API key with id '" + id.group(1) + "'");
    CliRun bad = keys("keys", "create", "--name", "x", "--expires-in", "soon");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).startsWith("sophia: --expires-in must be a number and d, h or m");
  }

  @Test
  void keysTotp_enrolConfirmRemove_andRefusedForANonAdminKey() {
    CliRun created = keys("keys", "create", "--name", "ops", "--role", "admin");
    Matcher id = Pattern.compile("id (key_\\w+)").matcher(created.out());
    assertThat(id.find()).isTrue();

    CliRun enrolled = keys("keys", "totp", id.group(1));
    assertThat(enrolled.exitCode()).as(enrolled.err()).isZero();
    Matcher secret = Pattern.compile("secret ([A-Z2-7]{32})").matcher(enrolled.out());
    assertThat(secret.find()).as(enrolled.out()).isTrue();
    assertThat(enrolled.out()).contains("otpauth://totp/Sophia%3Aops?secret=" + secret.group(1));

    CliRun wrong = keys("keys", "totp", id.group(1), "--confirm", "12345");
    assertThat(wrong.exitCode()).isEqualTo(2);
    CliRun confirmed =
        keys(
            "keys",
            "totp",
            id.group(1),
            "--confirm",
            ai.sophia.security.TotpFactors.code(secret.group(1), java.time.Instant.now()));
    assertThat(confirmed.exitCode()).as(confirmed.err()).isZero();
    assertThat(confirmed.out()).contains("is in force");
    assertThat(keys("keys", "totp", id.group(1)).err()).contains("has a second factor already");

    CliRun removed = keys("keys", "totp", id.group(1), "--remove");
    assertThat(removed.exitCode()).as(removed.err()).isZero();
    assertThat(keys("keys", "totp", id.group(1), "--remove").exitCode()).isEqualTo(1);

    CliRun user = keys("keys", "create", "--name", "bot");
    Matcher userId = Pattern.compile("id (key_\\w+)").matcher(user.out());
    assertThat(userId.find()).isTrue();
    CliRun refused = keys("keys", "totp", userId.group(1));
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("a second factor is for admin keys");
  }

  @Test
  void keysCreate_withoutName_usageError() {
    CliRun run = keys("keys", "create");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("sophia: Missing required option: '--name=NAME'");
    assertThat(run.err().lines()).hasSize(1);
  }

  @Test
  void keysCreate_unknownRole_usageErrorListingRoles() {
    CliRun run = keys("keys", "create", "--name", "x", "--role", "boss");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("admin, developer, user, readonly").contains("boss");
  }

  @Test
  void keysCreate_blankName_usageError() {
    CliRun run = keys("keys", "create", "--name", "  ");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("sophia: --name must be 1 to 64 characters\n");
  }

  @Test
  void keysList_empty_saysHowToCreateOne() {
    CliRun run = keys("keys", "list");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("sophia keys create --name NAME");
  }
}
