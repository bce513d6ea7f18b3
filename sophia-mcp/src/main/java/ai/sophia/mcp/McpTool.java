package ai.sophia.mcp;

import ai.sophia.tool.Risk;
import ai.sophia.tool.Tool;
import ai.sophia.tool.ToolContext;
import ai.sophia.tool.ToolOutput;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A tool of another MCP server as an agent tool, named {@code <server>__<tool>} (the tool's name
 * lowercased, other characters than {@code [a-z0-9_]} as {@code _}) with the risk the operator set
 * for the server. Description and schema are the server's, read from the live connection, so a tool
 * named in an agent definition works once its server connects. Its output is data for the model, as
 * every tool's is.
 */
final class McpTool implements Tool {
  static final String SEPARATOR = "__";
  private static final int MAX_OUTPUT_CHARS = 20_000;
  private static final JsonNode ANY_OBJECT = Structured.JSON.valueToTree(Map.of("type", "object"));

  private final McpConnection connection;
  private final String name;
  private final String localPart;
  private final Risk risk;

  McpTool(McpConnection connection, String localPart, Risk risk) {
    this.connection = connection;
    this.localPart = localPart;
    this.name = connection.name() + SEPARATOR + localPart;
    this.risk = risk;
  }

  /** The local form of a server's tool name. */
  static String localName(String remote) {
    return remote.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return remote()
        .map(t -> t.description() == null ? t.name() : t.description())
        .map(d -> "[MCP server " + connection.name() + "] " + d)
        .orElse(
            "[MCP server "
                + connection.name()
                + "] tool "
                + localPart
                + " (the server is not connected yet)");
  }

  @Override
  public JsonNode parameters() {
    return remote()
        .map(McpSchema.Tool::inputSchema)
        .<JsonNode>map(Structured.JSON::valueToTree)
        .orElse(ANY_OBJECT);
  }

  @Override
  public Risk risk() {
    return risk;
  }

  @Override
  public ToolOutput invoke(JsonNode arguments, ToolContext context) {
    Optional<McpSchema.Tool> tool = remote();
    if (tool.isEmpty()) {
      return new ToolOutput.Failure(
          connection.connected()
              ? name + ": the MCP server " + connection.name() + " has no such tool"
              : name + ": the MCP server " + connection.name() + " is not connected");
    }
    Map<String, Object> args =
        arguments == null || arguments.isNull()
            ? Map.of()
            : Structured.JSON.convertValue(arguments, new TypeReference<Map<String, Object>>() {});
    McpSchema.CallToolResult result;
    try {
      result = connection.call(tool.get().name(), args);
    } catch (McpConnection.McpUnavailable e) {
      return new ToolOutput.Failure(name + ": " + e.getMessage());
    }
    String text = text(result);
    return Boolean.TRUE.equals(result.isError())
        ? new ToolOutput.Failure(name + ": " + text)
        : new ToolOutput.Success(text);
  }

  private Optional<McpSchema.Tool> remote() {
    return connection.tools().stream()
        .filter(t -> localName(t.name()).equals(localPart))
        .findFirst();
  }

  private static String text(McpSchema.CallToolResult result) {
    StringBuilder out = new StringBuilder();
    if (result.content() != null) {
      for (McpSchema.Content c : result.content()) {
        if (!out.isEmpty()) {
          out.append('\n');
        }
        switch (c) {
          case McpSchema.TextContent t -> out.append(t.text());
          case McpSchema.EmbeddedResource r
              when r.resource() instanceof McpSchema.TextResourceContents t ->
              out.append(t.uri()).append(":\n").append(t.text());
          default -> out.append("[").append(c.type()).append(" content]");
        }
      }
    }
    if (out.isEmpty() && result.structuredContent() != null) {
      out.append(Structured.text(result.structuredContent()));
    }
    String s = out.toString();
    return s.length() > MAX_OUTPUT_CHARS ? s.substring(0, MAX_OUTPUT_CHARS) + "…" : s;
  }
}
