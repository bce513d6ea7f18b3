package ai.sophia.server.routes;

import ai.sophia.mcp.SophiaMcp;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.McpGate;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /.well-known/oauth-protected-resource} (and its {@code /mcp} suffixed form): the
 * protected-resource metadata document (RFC 9728) that the MCP authorization spec points clients to
 * from a 401. Sophia's keys are not issued by an OAuth server but with {@code sophia keys create},
 * so no authorization server is listed; the document says the resource takes bearer tokens in the
 * header.
 */
public final class McpMetadataRoutes {
  public void register(RoutesConfig routes) {
    routes.get(McpGate.METADATA_PATH, this::metadata, Access.PUBLIC);
    routes.get(McpGate.METADATA_PATH + SophiaMcp.ENDPOINT, this::metadata, Access.PUBLIC);
  }

  private void metadata(Context ctx) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("resource", ctx.scheme() + "://" + ctx.host() + SophiaMcp.ENDPOINT);
    doc.put("authorization_servers", List.of());
    doc.put("bearer_methods_supported", List.of("header"));
    doc.put("resource_name", "Sophia");
    doc.put(
        "resource_documentation",
        "API keys come from `sophia keys create`; send 'Authorization: Bearer <key>'");
    ctx.json(doc);
  }
}
