package ai.sophia.server.routes;

import ai.sophia.mcp.SophiaMcp;
import ai.sophia.security.Role;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.McpGate;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /.well-known/oauth-protected-resource} (and its {@code /mcp} suffixed form): the
 * protected-resource metadata document (RFC 9728) that the MCP authorization spec points clients to
 * from a 401. Sophia's own keys come from {@code sophia keys create}; when {@code security.oidc}
 * names an issuer, its access tokens are accepted too and it is listed as the authorization server.
 * Bearer tokens go in the header. The scopes are Sophia's roles, {@code sophia:readonly} to {@code
 * sophia:admin}: a token's scopes cap its role.
 */
public final class McpMetadataRoutes {
  private final List<String> authorizationServers;

  public McpMetadataRoutes(List<String> authorizationServers) {
    this.authorizationServers = List.copyOf(authorizationServers);
  }

  public void register(RoutesConfig routes) {
    routes.get(McpGate.METADATA_PATH, this::metadata, Access.PUBLIC);
    routes.get(McpGate.METADATA_PATH + SophiaMcp.ENDPOINT, this::metadata, Access.PUBLIC);
  }

  private void metadata(Context ctx) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("resource", ctx.scheme() + "://" + ctx.host() + SophiaMcp.ENDPOINT);
    doc.put("authorization_servers", authorizationServers);
    doc.put("bearer_methods_supported", List.of("header"));
    doc.put("scopes_supported", Arrays.stream(Role.values()).map(Role::scope).toList());
    doc.put("resource_name", "Sophia");
    doc.put(
        "resource_documentation",
        "API keys come from `sophia keys create`; send 'Authorization: Bearer <key>'");
    ctx.json(doc);
  }
}
