package ai.sophia.mcp;

import ai.sophia.config.SophiaConfig;
import ai.sophia.health.HealthCheck;
import ai.sophia.tool.Risk;
import ai.sophia.tool.Tool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The MCP servers of {@code mcp.servers}, connected at start-up, and their tools as agent tools
 * ({@code <server>__<tool>}). A server that cannot be reached at start-up does not stop Sophia: its
 * health check says so, it is retried with backoff, and the tools agents name for it are installed
 * anyway and work once it connects.
 */
public final class McpClients implements AutoCloseable {
  private final List<McpConnection> connections;
  private final List<Tool> tools;

  private McpClients(List<McpConnection> connections, List<Tool> tools) {
    this.connections = connections;
    this.tools = tools;
  }

  /**
   * Connects to every configured server (each within its timeout, one after another) and keeps them
   * connected. {@code env} supplies the variables servers' {@code env} and {@code token_env} name.
   */
  public static McpClients connect(SophiaConfig config, Map<String, String> env, String version) {
    return connect(config, env, version, McpTokenStore.inMemory());
  }

  /**
   * As {@link #connect(SophiaConfig, Map, String)}, keeping the OAuth access tokens of servers with
   * {@code oauth} in {@code tokens} (the server's {@link SqlMcpTokenStore}, so a restart reuses a
   * token that is still good).
   */
  public static McpClients connect(
      SophiaConfig config, Map<String, String> env, String version, McpTokenStore tokens) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(tokens, "tokens");
    List<McpConnection> connections = new ArrayList<>();
    List<Tool> tools = new ArrayList<>();
    for (Map.Entry<String, SophiaConfig.McpServerSpec> e : config.mcp().servers().entrySet()) {
      String name = e.getKey();
      SophiaConfig.McpServerSpec spec = e.getValue();
      McpConnection connection = new McpConnection(name, spec, env, version, tokens);
      connection.start();
      connections.add(connection);
      Risk risk = spec.risk() == null ? Risk.read : Risk.valueOf(spec.risk());
      Set<String> names = new LinkedHashSet<>();
      connection.tools().forEach(t -> names.add(McpTool.localName(t.name())));
      declared(config, name).stream().filter(n -> n.matches("[a-z0-9_]+")).forEach(names::add);
      names.forEach(local -> tools.add(new McpTool(connection, local, risk)));
    }
    return new McpClients(List.copyOf(connections), List.copyOf(tools));
  }

  /** The local names of this server's tools that agent definitions list. */
  private static List<String> declared(SophiaConfig config, String server) {
    String prefix = server + McpTool.SEPARATOR;
    List<String> out = new ArrayList<>();
    config
        .agents()
        .definitions()
        .values()
        .forEach(
            spec -> {
              if (spec != null && spec.tools() != null) {
                for (String tool : spec.tools()) {
                  if (tool != null && tool.startsWith(prefix) && tool.length() > prefix.length()) {
                    out.add(tool.substring(prefix.length()));
                  }
                }
              }
            });
    return out;
  }

  /** Every MCP tool, to install in the agent runtime. */
  public List<Tool> tools() {
    return tools;
  }

  /** One non-critical {@code mcp.<server>} check per server. */
  public List<HealthCheck> healthChecks() {
    return connections.stream().map(McpConnection::healthCheck).toList();
  }

  /** Server name → whether it is connected now. */
  public Map<String, Boolean> status() {
    Map<String, Boolean> out = new LinkedHashMap<>();
    connections.forEach(c -> out.put(c.name(), c.connected()));
    return out;
  }

  @Override
  public void close() {
    connections.forEach(McpConnection::close);
  }
}
