package ai.sophia.cli;

import ai.sophia.error.ConfigException;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.SophiaException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/**
 * How the CLI fails: one clear line on stderr, {@code sophia: <message>}, and a non-zero exit — 2
 * when the command line or its input was wrong, 1 when running failed. Configuration errors list
 * every problem. No stack trace unless SOPHIA_DEBUG=1.
 */
final class Failures {
  static final int RUNTIME = 1;
  static final int USAGE = CommandLine.ExitCode.USAGE;

  private final boolean debug;

  Failures(Map<String, String> env) {
    this.debug = "1".equals(env.get("SOPHIA_DEBUG"));
  }

  int usage(CommandLine.ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    PrintWriter err = cli.getErr();
    err.println(
        "sophia: "
            + e.getMessage()
            + " (see '"
            + cli.getCommandSpec().qualifiedName()
            + " --help')");
    trace(err, e);
    return USAGE;
  }

  int execution(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    PrintWriter err = cli.getErr();
    int status;
    switch (e) {
      case ConfigException c -> {
        err.println("sophia: invalid configuration:");
        c.problems().forEach(problem -> err.println("  - " + problem));
        status = RUNTIME;
      }
      case InvalidInputException i -> {
        err.println("sophia: " + i.getMessage());
        status = USAGE;
      }
      case SophiaException s -> {
        err.println("sophia: " + s.getMessage());
        status = RUNTIME;
      }
      default -> {
        err.println(
            "sophia: unexpected failure: "
                + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage())
                + (debug ? "" : " (SOPHIA_DEBUG=1 shows the stack trace)"));
        status = RUNTIME;
      }
    }
    trace(err, e);
    err.flush();
    return status;
  }

  private void trace(PrintWriter err, Exception e) {
    if (debug) {
      e.printStackTrace(err);
    }
  }
}
