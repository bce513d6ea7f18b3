package ai.sophia.cli;

import ai.sophia.config.SophiaConfig;
import ai.sophia.error.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sophia doctor}: one line per check, ✓ or ✗ (– for what is not configured); exits 1 when a
 * required check fails. Search providers are reported but never fatal: Sophia falls back between
 * them.
 */
@Command(
    name = "doctor",
    description =
        "Check the JDK, configuration, storage, embedding model, search and model providers and"
            + " MCP servers.")
final class DoctorCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<Doctor.Check> checks = new ArrayList<>();
    checks.add(print(out, Doctor.jdk()));
    SophiaConfig config;
    try {
      config = main.config();
      checks.add(
          print(out, Doctor.Check.ok("configuration is valid (" + config.environment() + ")")));
    } catch (ConfigException e) {
      checks.add(print(out, Doctor.Check.failed(true, "configuration is invalid:")));
      e.problems().forEach(problem -> out.println("    - " + problem));
      return finish(out, checks);
    }
    Path dir = config.dataDir();
    Doctor.Check writable = print(out, Doctor.dataDirectory(dir));
    checks.add(writable);
    if (!writable.fatal()) {
      checks.add(print(out, Doctor.store(config, main.env())));
      checks.add(print(out, Doctor.index(config, main.env())));
    }
    checks.add(print(out, Doctor.redis(config, main.env())));
    checks.add(print(out, Doctor.embeddings(config.embedding().model())));
    for (Doctor.Check check : Doctor.providers(config, main.env())) {
      checks.add(print(out, check));
    }
    for (Doctor.Check check : Doctor.mcpServers(config, main.env())) {
      checks.add(print(out, check));
    }
    return finish(out, checks);
  }

  private static Doctor.Check print(PrintWriter out, Doctor.Check check) {
    out.println(check.line());
    out.flush();
    return check;
  }

  private static int finish(PrintWriter out, List<Doctor.Check> checks) {
    long fatal = checks.stream().filter(Doctor.Check::fatal).count();
    out.println(fatal == 0 ? "Sophia is ready." : fatal + " required check(s) failed.");
    out.flush();
    return fatal == 0 ? 0 : Failures.RUNTIME;
  }
}
