package ai.sophia.mcp;

import ai.sophia.mcp.McpConnection.McpUnavailable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Token endpoint requests (RFC 6749 section 3.2): a form post, the client authenticated as the
 * authorization server asks ({@code client_secret_basic}: the id and secret form-encoded, then
 * Base64, section 2.3.1; {@code client_secret_post}: both in the form; {@code none}: the id alone,
 * for a public client; {@code private_key_jwt}: a signed assertion, {@link ClientAssertions}), a
 * JSON answer or a JSON error ({@code {"error":"invalid_client"}}). The secret never appears in a
 * message.
 */
final class TokenRequests {
  /**
   * A successful answer; {@code refreshToken} and {@code scope} (what was granted) empty and {@code
   * expiresIn} 0 when absent.
   */
  record Tokens(String accessToken, String refreshToken, long expiresIn, String scope) {
    @Override
    public String toString() {
      return "Tokens[expiresIn=" + expiresIn + ", <redacted>]";
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private TokenRequests() {}

  /**
   * The client authentication method to use: what the registration said, else Basic when the client
   * has a secret and the server lists Basic (or nothing), else the form, else none.
   */
  static String method(String registered, String secret, List<String> supported) {
    if (registered != null && !registered.isBlank()) {
      return registered;
    }
    if (secret == null || secret.isEmpty()) {
      return "none";
    }
    boolean basic = supported.isEmpty() || supported.contains("client_secret_basic");
    return basic || !supported.contains("client_secret_post")
        ? "client_secret_basic"
        : "client_secret_post";
  }

  /**
   * Posts {@code form} (with the client's authentication) to {@code endpoint}.
   *
   * @throws McpUnavailable naming the server, the endpoint and the OAuth error
   */
  static Tokens post(
      HttpClient http,
      Duration timeout,
      String server,
      String endpoint,
      Map<String, String> form,
      String clientId,
      String secret,
      String method) {
    Map<String, String> all = new LinkedHashMap<>(form);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(endpoint))
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json");
    switch (method) {
      case "client_secret_basic" -> {
        String pair = encode(clientId) + ":" + encode(secret);
        b.header(
            "Authorization",
            "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
      }
      case "client_secret_post" -> {
        all.put("client_id", clientId);
        all.put("client_secret", secret);
      }
      case "private_key_jwt" -> {
        // The caller signs the assertion; it stands where a secret would.
        all.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        all.put("client_assertion", secret);
      }
      default -> all.put("client_id", clientId);
    }
    String body =
        all.entrySet().stream()
            .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
            .collect(Collectors.joining("&"));
    String prefix = "MCP server '" + server + "': the token endpoint " + endpoint + " ";
    HttpResponse<String> response;
    try {
      response =
          http.send(
              b.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new McpUnavailable(prefix + "could not be reached: " + unreachable(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new McpUnavailable(prefix + "was interrupted");
    }
    JsonNode json = parse(response.body());
    if (response.statusCode() != 200) {
      String error = json.path("error").asText("");
      String description = json.path("error_description").asText("");
      throw new McpUnavailable(
          prefix
              + "refused the "
              + ("refresh_token".equals(form.get("grant_type"))
                  ? "refresh token"
                  : form.get("grant_type").replace('_', ' '))
              + " request of '"
              + clientId
              + "': HTTP "
              + response.statusCode()
              + (error.isEmpty() ? "" : " " + clip(error, secret))
              + (description.isEmpty() ? "" : " (" + clip(description, secret) + ")"));
    }
    String access = json.path("access_token").asText("");
    String type = json.path("token_type").asText("Bearer");
    if (access.isEmpty() || !type.equalsIgnoreCase("bearer")) {
      throw new McpUnavailable(prefix + "answered without a Bearer access_token");
    }
    return new Tokens(
        access,
        json.path("refresh_token").asText(""),
        json.path("expires_in").asLong(0),
        json.path("scope").asText(""));
  }

  private static JsonNode parse(String body) {
    try {
      JsonNode node = JSON.readTree(body == null ? "" : body);
      return node == null ? JSON.createObjectNode() : node;
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static String clip(String text, String secret) {
    String safe = secret == null || secret.isEmpty() ? text : text.replace(secret, "<redacted>");
    return safe.length() > 200 ? safe.substring(0, 200) + "…" : safe;
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Why a request went unanswered, as a person reads it (a refused connection has no message). */
  static String unreachable(IOException e) {
    String m = e.getMessage();
    String kind = e.getClass().getSimpleName();
    return m == null || m.isBlank() ? kind : kind + ": " + m;
  }
}
