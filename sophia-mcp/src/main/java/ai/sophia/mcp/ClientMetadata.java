package ai.sophia.mcp;

import ai.sophia.config.SophiaConfig;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What Sophia says about itself as the OAuth client of a person's sign-in ({@link McpLogin}): the
 * client metadata of a dynamic registration (RFC 7591), and its client ID metadata documents (MCP
 * authorization 2025-11-25), which Sophia's server publishes at each configured {@code
 * oauth.client_metadata_url}: the URL itself as {@code client_id}, and the loopback redirect of the
 * servers that use it. Always a public client (PKCE, no secret).
 */
public final class ClientMetadata {
  /** The redirect of a sign-in without a fixed {@code redirect_port}: any port (RFC 8252 §7.3). */
  static final String ANY_PORT_REDIRECT = "http://127.0.0.1/callback";

  private ClientMetadata() {}

  /** The metadata of a public client named {@code clientName} redirected to {@code redirects}. */
  static Map<String, Object> of(String clientName, List<String> redirects) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("client_name", clientName);
    metadata.put("redirect_uris", List.copyOf(redirects));
    metadata.put("grant_types", List.of("authorization_code", "refresh_token"));
    metadata.put("response_types", List.of("code"));
    metadata.put("token_endpoint_auth_method", "none");
    return metadata;
  }

  /**
   * The client ID metadata documents of {@code servers} (the MCP servers of the configuration), by
   * their URL: each names the URL as its {@code client_id} and lists the redirects of the servers
   * whose {@code oauth.client_metadata_url} it is. Empty when none is configured.
   */
  public static Map<String, Map<String, Object>> documents(
      Map<String, SophiaConfig.McpServerSpec> servers) {
    Objects.requireNonNull(servers, "servers");
    Map<String, Set<String>> redirects = new LinkedHashMap<>();
    servers.values().stream()
        .map(SophiaConfig.McpServerSpec::oauth)
        .filter(o -> o != null && o.clientMetadataUrl() != null && !o.clientMetadataUrl().isBlank())
        .forEach(
            o ->
                redirects
                    .computeIfAbsent(o.clientMetadataUrl(), url -> new LinkedHashSet<>())
                    .add(
                        o.redirectPort() == null || o.redirectPort() == 0
                            ? ANY_PORT_REDIRECT
                            : "http://127.0.0.1:" + o.redirectPort() + "/callback"));
    Map<String, Map<String, Object>> documents = new LinkedHashMap<>();
    redirects.forEach(
        (url, uris) -> {
          Map<String, Object> doc = new LinkedHashMap<>();
          doc.put("client_id", url);
          doc.putAll(of("Sophia", List.copyOf(uris)));
          documents.put(url, doc);
        });
    return documents;
  }
}
