package ai.sophia.cli;

import ai.sophia.config.SophiaConfig;
import ai.sophia.mcp.SophiaMcp;
import ai.sophia.server.Sophia;
import ai.sophia.server.Version;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sophia mcp}: Sophia as an MCP server over stdio, for an MCP client that starts it (Claude
 * Desktop, an IDE, the MCP Inspector). Stdout carries only the protocol: everything else that would
 * print there goes to stderr with the logs. Runs as the local user (like the rest of the CLI) until
 * the client closes stdin.
 */
@Command(
    name = "mcp",
    description = "Serve MCP over stdio (tools, resources and prompts) until stdin closes.")
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
}
