package ai.sophia.cli;

import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.security.ApiKey;
import ai.sophia.security.IssuedKey;
import ai.sophia.security.Role;
import ai.sophia.security.TotpFactors;
import ai.sophia.server.Sophia;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sophia keys}: API keys. These commands open only the key store, so they work while a
 * server runs on the same data directory.
 */
@Command(
    name = "keys",
    description = "Create, list, rotate and revoke API keys.",
    subcommands = {
      KeysCommand.Create.class,
      KeysCommand.ListKeys.class,
      KeysCommand.Rotate.class,
      KeysCommand.Totp.class,
      KeysCommand.Revoke.class
    })
final class KeysCommand implements Callable<Integer> {
  static final int MAX_NAME_CHARS = 64;
  private static final Pattern SPAN = Pattern.compile("(\\d{1,6})([dhm])");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'").withZone(ZoneOffset.UTC);

  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return Main.missingSubcommand(spec);
  }

  /** {@code sophia keys create --name N [--role R] [--expires-in 90d]}: prints the secret, once. */
  @Command(name = "create", description = "Create an API key and print its secret (shown once).")
  static final class Create implements Callable<Integer> {
    @ParentCommand KeysCommand keys;
    @Spec CommandSpec spec;

    @Option(
        names = "--name",
        required = true,
        paramLabel = "NAME",
        description = "Who or what the key is for.")
    String name;

    @Option(
        names = "--role",
        paramLabel = "R",
        defaultValue = "user",
        description = "admin, developer, user or readonly (default ${DEFAULT-VALUE}).")
    Role role;

    @Option(
        names = "--expires-in",
        paramLabel = "SPAN",
        description = "The key stops working after this long: 90d, 12h or 30m (default: never).")
    String expiresIn;

    @Override
    public Integer call() {
      Optional<Instant> expires =
          Optional.ofNullable(expiresIn).map(v -> Instant.now().plus(span("--expires-in", v)));
      String trimmed = name.strip();
      if (trimmed.isEmpty() || trimmed.length() > MAX_NAME_CHARS) {
        throw new InvalidInputException(
            "--name", "--name must be 1 to " + MAX_NAME_CHARS + " characters");
      }
      IssuedKey issued =
          Sophia.withApiKeys(
              keys.main.config(), keys.main.env(), store -> store.create(trimmed, role, expires));
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "Created API key '%s' (id %s, role %s%s).%n",
          issued.key().name(),
          issued.key().id(),
          issued.key().role(),
          expires.map(e -> ", expires " + time(e)).orElse(""));
      out.println("Secret, shown once — store it now:");
      out.println(issued.secret());
      out.flush();
      return 0;
    }
  }

  /** {@code sophia keys list}: every key, revoked ones included; never a secret. */
  @Command(name = "list", description = "List API keys (secrets are never shown).")
  static final class ListKeys implements Callable<Integer> {
    @ParentCommand KeysCommand keys;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      List<ApiKey> all =
          Sophia.withApiKeys(keys.main.config(), keys.main.env(), store -> store.list());
      PrintWriter out = spec.commandLine().getOut();
      if (all.isEmpty()) {
        out.println("No API keys yet; 'sophia keys create --name NAME' makes one.");
      } else {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "NAME", "ROLE", "PREFIX", "CREATED", "EXPIRES", "REVOKED"});
        for (ApiKey key : all) {
          rows.add(
              new String[] {
                key.id(),
                key.name(),
                key.role().name(),
                key.prefix(),
                time(key.createdAt()),
                key.expiresAt().map(KeysCommand::time).orElse("-"),
                key.revokedAt().map(KeysCommand::time).orElse("-")
              });
        }
        Table.print(rows, out);
      }
      out.flush();
      return 0;
    }
  }

  /**
   * {@code sophia keys revoke ID}: the key stops working within seconds, also on a running server.
   */
  @Command(name = "revoke", description = "Revoke an API key by id.")
  static final class Revoke implements Callable<Integer> {
    @ParentCommand KeysCommand keys;
    @Spec CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "ID",
        description = "The key's id, as 'keys list' shows it.")
    String id;

    @Override
    public Integer call() {
      boolean revoked =
          Sophia.withApiKeys(
              keys.main.config(), keys.main.env(), store -> store.revoke(id.strip()));
      if (!revoked) {
        throw new NotFoundException("no active API key with id '" + id.strip() + "'");
      }
      spec.commandLine().getOut().printf("Revoked API key %s.%n", id.strip());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  /**
   * {@code sophia keys rotate ID [--grace 24h]}: a new secret for the key's name and role; the old
   * one keeps working for the grace period, so clients move over without a gap.
   */
  @Command(
      name = "rotate",
      description = "Replace an API key's secret; the old one works for --grace longer.")
  static final class Rotate implements Callable<Integer> {
    @ParentCommand KeysCommand keys;
    @Spec CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "ID",
        description = "The key's id, as 'keys list' shows it.")
    String id;

    @Option(
        names = "--grace",
        paramLabel = "SPAN",
        defaultValue = "24h",
        description =
            "How long the old secret keeps working: 24h, 30m, 0m (default ${DEFAULT-VALUE}).")
    String grace;

    @Override
    public Integer call() {
      Instant until = Instant.now().plus(span("--grace", grace));
      IssuedKey issued =
          Sophia.withApiKeys(
              keys.main.config(), keys.main.env(), store -> store.rotate(id.strip(), until));
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "Rotated API key %s: the new key is %s; the old secret works until %s.%n",
          id.strip(), issued.key().id(), time(until));
      out.println("New secret, shown once — store it now:");
      out.println(issued.secret());
      out.flush();
      return 0;
    }
  }

  /**
   * {@code sophia keys totp ID [--confirm CODE | --remove]}: a second factor for signing in to the
   * dashboard with an admin key — enrol (prints the secret and the otpauth URI for an authenticator
   * app, once), confirm with the app's first code, or remove (a lost phone).
   */
  @Command(
      name = "totp",
      description =
          "Set up (then --confirm) or --remove an admin key's second factor for dashboard sign-in.")
  static final class Totp implements Callable<Integer> {
    @ParentCommand KeysCommand keys;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The admin key's id.")
    String id;

    @Option(names = "--confirm", paramLabel = "CODE", description = "The app's current code.")
    String confirm;

    @Option(names = "--remove", description = "Remove the key's second factor.")
    boolean remove;

    @Override
    public Integer call() {
      String keyId = id.strip();
      PrintWriter out = spec.commandLine().getOut();
      if (remove && confirm != null) {
        throw new InvalidInputException("--remove", "--remove and --confirm do not go together");
      }
      String said =
          Sophia.withKeysAndFactors(
              keys.main.config(),
              keys.main.env(),
              (store, factors) -> {
                ApiKey key =
                    store.list().stream()
                        .filter(k -> k.id().equals(keyId) && k.active())
                        .findFirst()
                        .orElseThrow(
                            () ->
                                new NotFoundException("no active API key with id '" + keyId + "'"));
                if (remove) {
                  if (!factors.remove(keyId)) {
                    throw new NotFoundException("key " + keyId + " has no second factor");
                  }
                  store.note("keys totp remove", keyId);
                  return "Removed the second factor of key " + keyId + ".";
                }
                if (confirm != null) {
                  if (!factors.confirm(keyId, confirm)) {
                    throw new InvalidInputException(
                        "--confirm", "the code is not the authenticator app's current one");
                  }
                  store.note("keys totp confirm", keyId);
                  return "The second factor of key "
                      + keyId
                      + " is in force: dashboard sign-in now asks for its code.";
                }
                if (key.role() != Role.admin) {
                  throw new InvalidInputException(
                      "ID", "a second factor is for admin keys; " + keyId + " is " + key.role());
                }
                TotpFactors.Enrollment e = factors.enroll(key);
                store.note("keys totp enrol", keyId);
                return "Add this to an authenticator app (shown once):\n  secret "
                    + e.secret()
                    + "\n  "
                    + e.uri()
                    + "\nthen: sophia keys totp "
                    + keyId
                    + " --confirm CODE";
              });
      out.println(said);
      out.flush();
      return 0;
    }
  }

  /** {@code 90d}, {@code 12h} or {@code 30m}. */
  static Duration span(String option, String value) {
    Matcher m = SPAN.matcher(value.strip());
    if (!m.matches()) {
      throw new InvalidInputException(
          option, option + " must be a number and d, h or m (90d, 12h, 30m), not '" + value + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "d" -> Duration.ofDays(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofMinutes(n);
    };
  }

  static String time(Instant instant) {
    return TIME.format(instant);
  }
}
