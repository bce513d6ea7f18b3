package ai.sophia.server.routes;

import ai.sophia.server.http.Access;
import io.javalin.config.RoutesConfig;
import java.net.URI;
import java.util.Map;

/**
 * Sophia's client ID metadata documents (MCP authorization 2025-11-25), one at the path of each
 * {@code oauth.client_metadata_url} of {@code mcp.servers}, public: the authorization server of a
 * sign-in ({@code sophia mcp login}) fetches the URL Sophia gave as its {@code client_id} and reads
 * who the client is and where it may be redirected. The URL must reach this server for that.
 */
public final class ClientMetadataRoutes {
  private final Map<String, Map<String, Object>> documents;

  /** {@code documents}: by URL, as {@code ClientMetadata.documents} makes them. */
  public ClientMetadataRoutes(Map<String, Map<String, Object>> documents) {
    this.documents = Map.copyOf(documents);
  }

  public void register(RoutesConfig routes) {
    documents.forEach(
        (url, doc) ->
            routes.get(URI.create(url).getRawPath(), ctx -> ctx.json(doc), Access.PUBLIC));
  }
}
