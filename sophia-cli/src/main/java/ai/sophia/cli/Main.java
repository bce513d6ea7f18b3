package ai.sophia.cli;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.server.Version;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code sophia} command: global options and the subcommands. Output goes to picocli's out and
 * err writers (stdout and stderr in production, captured in tests); failures end as one line {@code
 * sophia: <message>} and exit status 2 for usage errors, 1 for everything else.
 */
@Command(
    name = "sophia",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Sophia, a self-hosted agent server: research with cited sources, and agents.",
    subcommands = {
      ServeCommand.class,
      McpCommand.class,
      ResearchCommand.class,
      IngestCommand.class,
      MemoryCommand.class,
      IndexCommand.class,
      AgentsCommand.class,
      AskCommand.class,
      CommitCommand.class,
      SwarmCommand.class,
      DeployCommand.class,
      KeysCommand.class,
      AuditCommand.class,
      DoctorCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Callable<Integer> {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "Configuration file (default: ./sophia.yaml when present).")
  Path configFile;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "Where Sophia keeps its data (overrides data_dir).")
  Path dataDir;

  @Spec CommandSpec spec;

  private final Map<String, String> env;

  Main(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public static void main(String[] args) {
    // Lucene and the JDK log through java.util.logging; route them into the JSON log too.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, System.getenv(), out, err));
  }

  /** Runs one command line and returns its exit status. */
  static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine(env);
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  static CommandLine commandLine(Map<String, String> env) {
    Failures failures = new Failures(env);
    CommandLine cli = new CommandLine(new Main(env));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler(failures::usage);
    cli.setExecutionExceptionHandler(failures::execution);
    cli.setExecutionStrategy(
        parsed -> {
          quietLoggingUnlessServing(parsed, env);
          return new CommandLine.RunLast().execute(parsed);
        });
    return cli;
  }

  /** Without a subcommand: the usage, and a usage error. */
  @Override
  public Integer call() {
    return missingSubcommand(spec);
  }

  /** What a command group does when called without one of its subcommands. */
  static int missingSubcommand(CommandSpec group) {
    group.commandLine().usage(group.commandLine().getErr());
    return CommandLine.ExitCode.USAGE;
  }

  /** The environment Sophia runs with (the process environment outside tests). */
  Map<String, String> env() {
    return env;
  }

  /**
   * The configuration: defaults, the file, the environment, then command-line flags. Flags become
   * environment overrides so that they pass the same validation as every other setting.
   */
  SophiaConfig config(Map<String, String> flags) {
    Map<String, String> merged = new HashMap<>(env);
    if (dataDir != null) {
      merged.put(ConfigLoader.envName("data_dir"), dataDir.toString());
    }
    merged.putAll(flags);
    return ConfigLoader.create(merged).load(Optional.ofNullable(configFile));
  }

  SophiaConfig config() {
    return config(Map.of());
  }

  /**
   * Everything but {@code serve} is an interactive command whose stderr carries progress; INFO logs
   * there would bury it. An explicit SOPHIA_LOG_LEVEL still wins.
   */
  private static void quietLoggingUnlessServing(
      CommandLine.ParseResult parsed, Map<String, String> env) {
    boolean serving =
        parsed.hasSubcommand()
            && parsed.subcommand().commandSpec().userObject() instanceof ServeCommand;
    if (serving || env.containsKey("SOPHIA_LOG_LEVEL")) {
      return;
    }
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
      logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }
  }

  /** Prints the version for {@code --version}. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"sophia " + Version.current()};
    }
  }
}
