package ai.sophia.cli;

import ai.sophia.security.AuditEntry;
import ai.sophia.security.AuditLog;
import ai.sophia.server.Sophia;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sophia audit}: the audit log. Like {@code keys}, these commands open only the database, so
 * they work while a server runs on the same data directory.
 */
@Command(
    name = "audit",
    description = "List, verify and export the audit log.",
    subcommands = {
      AuditCommand.ListEntries.class,
      AuditCommand.Verify.class,
      AuditCommand.Export.class
    })
final class AuditCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return Main.missingSubcommand(spec);
  }

  /** {@code sophia audit list [--limit N]}: the newest entries first. */
  @Command(name = "list", description = "Show the newest audit entries.")
  static final class ListEntries implements Callable<Integer> {
    @ParentCommand AuditCommand audit;
    @Spec CommandSpec spec;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "20",
        description = "How many entries, 1 to 1000 (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      if (limit < 1 || limit > 1000) {
        throw new ai.sophia.error.InvalidInputException("--limit", "--limit must be 1 to 1000");
      }
      List<AuditEntry> entries =
          Sophia.withAuditLog(audit.main.config(), audit.main.env(), log -> log.recent(limit, 0));
      PrintWriter out = spec.commandLine().getOut();
      if (entries.isEmpty()) {
        out.println("The audit log is empty.");
      } else {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SEQ", "WHEN", "WHO", "ACTION", "TARGET", "FROM", "OUTCOME"});
        for (AuditEntry e : entries) {
          rows.add(
              new String[] {
                Long.toString(e.seq()),
                KeysCommand.time(e.at()),
                e.actorName().equals("-") ? e.actorId() : e.actorName(),
                e.action(),
                e.target(),
                e.source(),
                e.outcome() + (e.status() > 0 ? " (" + e.status() + ")" : "")
              });
        }
        Table.print(rows, out);
      }
      out.flush();
      return 0;
    }
  }

  /** {@code sophia audit verify}: exit 0 when the chain is intact, 1 when it is broken. */
  @Command(
      name = "verify",
      description =
          "Check the hash chain: exit 0 when intact, 1 when an entry was altered or removed.")
  static final class Verify implements Callable<Integer> {
    @ParentCommand AuditCommand audit;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      AuditLog.Verification v =
          Sophia.withAuditLog(audit.main.config(), audit.main.env(), AuditLog::verify);
      if (v.intact()) {
        spec.commandLine()
            .getOut()
            .printf("The audit log is intact: %d entries, head %s.%n", v.entries(), v.headHash());
        spec.commandLine().getOut().flush();
        return 0;
      }
      AuditLog.Break b = v.broken().orElseThrow();
      spec.commandLine()
          .getErr()
          .printf("The audit log is BROKEN at entry %d: %s.%n", b.seq(), b.reason());
      spec.commandLine().getErr().flush();
      return 1;
    }
  }

  /** {@code sophia audit export [--out FILE]}: every entry, oldest first, as JSON lines. */
  @Command(name = "export", description = "Write every audit entry, oldest first, as JSON lines.")
  static final class Export implements Callable<Integer> {
    @ParentCommand AuditCommand audit;
    @Spec CommandSpec spec;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Write to FILE (created, never overwritten) instead of standard output.")
    Path file;

    @Override
    public Integer call() throws IOException {
      if (file == null) {
        PrintWriter out = spec.commandLine().getOut();
        export(out);
        out.flush();
        return 0;
      }
      try (BufferedWriter out =
          Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW)) {
        long n = export(out);
        spec.commandLine().getErr().printf("Wrote %d audit entries to %s.%n", n, file);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        throw new ai.sophia.error.InvalidInputException(
            "--out", "--out: " + file + " exists already; choose a new file");
      }
      return 0;
    }

    private long export(Writer out) {
      long[] n = {0};
      Sophia.withAuditLog(
          audit.main.config(),
          audit.main.env(),
          log -> {
            log.forEach(
                e -> {
                  try {
                    out.write(JSON.writeValueAsString(e.fields()));
                    out.write('\n');
                    n[0]++;
                  } catch (IOException io) {
                    throw new UncheckedIOException(io);
                  }
                });
            return null;
          });
      return n[0];
    }
  }
}
