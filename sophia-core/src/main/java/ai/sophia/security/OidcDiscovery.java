package ai.sophia.security;

import ai.sophia.error.UnavailableException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * An OpenID issuer's discovery document ({@code /.well-known/openid-configuration}): the endpoints
 * Sophia uses. It must name the configured issuer itself, or it is not that issuer's.
 */
record OidcDiscovery(
    String issuer, URI jwksUri, String authorizationEndpoint, String tokenEndpoint) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reads the issuer's discovery document.
   *
   * @throws UnavailableException when it cannot be read or names another issuer
   */
  static OidcDiscovery fetch(HttpClient http, String issuer) {
    String address =
        (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
            + "/.well-known/openid-configuration";
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(address)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new UnavailableException(
            "the OpenID issuer's discovery document answered " + r.statusCode() + "; try again");
      }
      JsonNode doc = JSON.readTree(r.body());
      if (!issuer.equals(doc.path("issuer").asText())) {
        throw new UnavailableException(
            "the OpenID issuer's discovery document names another issuer; check security.oidc.issuer");
      }
      return new OidcDiscovery(
          issuer,
          URI.create(doc.path("jwks_uri").asText()),
          doc.path("authorization_endpoint").asText(""),
          doc.path("token_endpoint").asText(""));
    } catch (IOException | IllegalArgumentException e) {
      throw new UnavailableException("the OpenID issuer cannot be reached; try again");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while reaching the OpenID issuer");
    }
  }
}
