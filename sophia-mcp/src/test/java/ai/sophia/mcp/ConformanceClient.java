package ai.sophia.mcp;

import ai.sophia.config.SophiaConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.HashMap;
import java.util.Map;

/**
 * The client command the MCP conformance suite spawns for its client scenarios ({@code conformance
 * client --command …}): connects to the server URL it is given (its last argument) with Sophia's
 * own {@link McpConnection}, with OAuth client credentials when the scenario's context ({@code
 * MCP_CONFORMANCE_CONTEXT}) holds a {@code client_id} and {@code client_secret}, then calls the
 * scenario server's {@code test-tool}. Exits 0 when connected and the call succeeded.
 */
public final class ConformanceClient {
  private static final String SECRET_ENV = "CONFORMANCE_CLIENT_SECRET";

  private ConformanceClient() {}

  public static void main(String[] args) throws Exception {
    String url = args[args.length - 1];
    JsonNode context =
        new ObjectMapper().readTree(System.getenv().getOrDefault("MCP_CONFORMANCE_CONTEXT", "{}"));
    Map<String, String> env = new HashMap<>();
    SophiaConfig.McpOAuth oauth = null;
    if (context.hasNonNull("client_id") && context.hasNonNull("client_secret")) {
      oauth =
          new SophiaConfig.McpOAuth(
              null, null, context.get("client_id").asText(), SECRET_ENV, null, null);
      env.put(SECRET_ENV, context.get("client_secret").asText());
    }
    SophiaConfig.McpServerSpec spec =
        new SophiaConfig.McpServerSpec(null, null, null, url, null, oauth, null, 10_000);
    int exit = 0;
    try (McpConnection c =
        new McpConnection("conformance", spec, env, "conformance", McpTokenStore.inMemory())) {
      c.start();
      if (!c.connected()) {
        System.err.println(c.healthCheck().check().detail());
        exit = 1;
      } else if (c.tool("test-tool").isPresent()) {
        McpSchema.CallToolResult result = c.call("test-tool", Map.of());
        exit = Boolean.TRUE.equals(result.isError()) ? 1 : 0;
      }
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
      exit = 1;
    }
    System.exit(exit);
  }
}
