package ai.sophia.cli;

import ai.sophia.config.SophiaConfig;
import ai.sophia.error.InvalidInputException;
import ai.sophia.mcp.McpLogin;
import ai.sophia.mcp.SophiaMcp;
import ai.sophia.server.Sophia;
import ai.sophia.server.Version;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sophia mcp}: Sophia as an MCP server over stdio, for an MCP client that starts it (Claude
 * Desktop, an IDE, the MCP Inspector). Stdout carries only the protocol: everything else that would
 * print there goes to stderr with the logs. Runs as the local user (like the rest of the CLI) until
 * the client closes stdin.
 */
@Command(
    name = "mcp",
    description = "Serve MCP over stdio (tools, resources and prompts) until stdin closes.",
    subcommands = McpCommand.Login.class)
final class McpCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Override
  public Integer call() throws InterruptedException {
    PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
    // Nothing else may write to stdout: a stray line would corrupt the JSON-RPC stream.
    System.setOut(System.err);
    SophiaConfig config = main.config(Map.of());
    try (Sophia sophia = Sophia.open(config, main.env());
        SophiaMcp mcp =
            SophiaMcp.create(
                new SophiaMcp.Capabilities(
                    sophia.researcher(),
                    sophia.agents(),
                    sophia.models(),
                    sophia.code(),
                    sophia.deployments(),
                    sophia.swarms(),
                    sophia.audit()),
                config,
                Version.current())) {
      mcp.serveStdio(System.in, protocol);
    }
    return 0;
  }

  /**
   * {@code sophia mcp login SERVER}: a person signs Sophia in to an MCP server of {@code
   * mcp.servers} with {@code oauth.grant: authorization_code}. Prints the URL to open in a browser
   * on this machine (the redirect comes back to a listener on 127.0.0.1; from another machine,
   * forward {@code oauth.redirect_port} with {@code ssh -L}), waits for the approval and stores the
   * tokens (sealed at rest) where the server's connection finds them. Works beside a running
   * server. {@code --scope}: the scope to ask for, when the server asked for a larger one.
   */
  @Command(
      name = "login",
      description = "Sign Sophia in to an MCP server that needs a person's OAuth approval.")
  static final class Login implements Callable<Integer> {
    @ParentCommand McpCommand mcp;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "SERVER", description = "The server's name under mcp.servers.")
    String server;

    @Option(
        names = "--wait",
        paramLabel = "SECONDS",
        defaultValue = "300",
        description = "How long to wait for the approval (default ${DEFAULT-VALUE}).")
    int waitSeconds;

    @Option(
        names = "--scope",
        paramLabel = "SCOPE",
        defaultValue = "",
        description =
            "The scope to ask for, space-separated (a server asking for a larger one says which);"
                + " default oauth.scope, else what the server names.")
    String scope;

    @Override
    public Integer call() {
      if (waitSeconds < 1 || waitSeconds > 3600) {
        throw new InvalidInputException("--wait", "--wait must be between 1 and 3600 seconds");
      }
      SophiaConfig config = mcp.main.config(Map.of());
      SophiaConfig.McpServerSpec server = config.mcp().servers().get(this.server);
      if (server == null) {
        throw new InvalidInputException(
            "SERVER", "no MCP server '" + this.server + "' under mcp.servers");
      }
      PrintWriter out = spec.commandLine().getOut();
      McpLogin.Result r =
          Sophia.withMcpTokens(
              config,
              mcp.main.env(),
              store ->
                  McpLogin.login(
                      this.server,
                      server,
                      mcp.main.env(),
                      store,
                      scope.strip(),
                      url -> {
                        out.println("Open this URL in a browser on this machine and approve:");
                        out.println(url);
                        out.flush();
                      },
                      Duration.ofSeconds(waitSeconds)));
      out.println(
          "Signed in to "
              + r.server()
              + " as client "
              + r.clientId()
              + (r.registered() ? " (registered now)" : "")
              + (r.refreshable()
                  ? "; Sophia renews the token itself."
                  : "; no refresh token: sign in again when it expires."));
      return 0;
    }
  }
}
