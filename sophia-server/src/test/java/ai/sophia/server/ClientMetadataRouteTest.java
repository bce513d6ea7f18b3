package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.health.HealthChecks;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sophia's client ID metadata document, served at the path of the configured {@code
 * oauth.client_metadata_url} without a key, naming that URL as its {@code client_id}.
 */
class ClientMetadataRouteTest {
  private static final String URL = "https://sophia.example.com/oauth/client-metadata.json";

  @TempDir Path dir;

  @Test
  void get_configuredDocumentPath_describesSophiaAsAPublicClient() {
    String yaml =
        "mcp:\n  servers:\n"
            + "    notes:\n      url: https://mcp.notes.example/mcp\n"
            + "      oauth: {grant: authorization_code, client_metadata_url: '"
            + URL
            + "'}\n"
            + "    wiki:\n      url: https://mcp.wiki.example/mcp\n"
            + "      oauth: {grant: authorization_code, redirect_port: 8765, client_metadata_url: '"
            + URL
            + "'}\n";
    try (TestServer server =
        TestServer.create(dir, Map.of(), yaml, new RefusingResearcher(), HealthChecks.create())) {
      HttpResponse<String> response = server.get("/oauth/client-metadata.json");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
      JsonNode doc = TestServer.json(response);
      assertThat(doc.get("client_id").asText()).isEqualTo(URL);
      assertThat(doc.get("client_name").asText()).isEqualTo("Sophia");
      assertThat(
              List.of(
                  doc.get("redirect_uris").get(0).asText(),
                  doc.get("redirect_uris").get(1).asText()))
          .containsExactly("http://127.0.0.1/callback", "http://127.0.0.1:8765/callback");
      assertThat(doc.get("token_endpoint_auth_method").asText()).isEqualTo("none");
      assertThat(doc.get("grant_types").toString()).contains("authorization_code", "refresh_token");
      assertThat(doc.get("response_types").get(0).asText()).isEqualTo("code");
    }
  }

  @Test
  void get_noDocumentConfigured_404() {
    try (TestServer server =
        TestServer.create(dir, Map.of(), "", new RefusingResearcher(), HealthChecks.create())) {
      assertThat(server.get("/oauth/client-metadata.json").statusCode()).isEqualTo(404);
    }
  }
}
