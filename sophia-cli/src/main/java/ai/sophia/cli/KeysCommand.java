package ai.sophia.cli;

import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.security.ApiKey;
import ai.sophia.security.IssuedKey;
import ai.sophia.security.Role;
import ai.sophia.server.Sophia;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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
    description = "Create, list and revoke API keys.",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand implements Callable<Integer> {
  static final int MAX_NAME_CHARS = 64;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'").withZone(ZoneOffset.UTC);

  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return Main.missingSubcommand(spec);
  }

  /** {@code sophia keys create --name N [--role R]}: prints the secret, once. */
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

    @Override
    public Integer call() {
      String trimmed = name.strip();
      if (trimmed.isEmpty() || trimmed.length() > MAX_NAME_CHARS) {
        throw new InvalidInputException(
            "--name", "--name must be 1 to " + MAX_NAME_CHARS + " characters");
      }
      IssuedKey issued =
          Sophia.withApiKeys(
              keys.main.config(), keys.main.env(), store -> store.create(trimmed, role));
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "Created API key '%s' (id %s, role %s).%n",
          issued.key().name(), issued.key().id(), issued.key().role());
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
        rows.add(new String[] {"ID", "NAME", "ROLE", "PREFIX", "CREATED", "REVOKED"});
        for (ApiKey key : all) {
          rows.add(
              new String[] {
                key.id(),
                key.name(),
                key.role().name(),
                key.prefix(),
                time(key.createdAt()),
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

  static String time(Instant instant) {
    return TIME.format(instant);
  }
}
