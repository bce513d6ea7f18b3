package ai.sophia.security;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.ForbiddenException;
import ai.sophia.error.UnauthorizedException;
import ai.sophia.error.UnavailableException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The dashboard's sign-in with the OpenID issuer: the authorization code flow with PKCE (S256), as
 * a client of the issuer. {@link #begin} makes the state, nonce and code verifier and the address
 * to send the browser to; {@link #finish} exchanges the code the issuer sent back (with the
 * verifier, and the client secret when there is one), checks the ID token (signature by the
 * issuer's keys, {@code iss}, {@code aud} = the client id, {@code exp}, the nonce) and gives the
 * identity it names. Its role is the highest Sophia role named in the ID token's roles claim, or
 * else in the access token's when that is a JWT Sophia accepts as a bearer token, capped by the
 * {@code sophia:} scopes granted; naming none refuses the sign-in. The client secret is never
 * logged or shown.
 */
public final class OidcSignIn {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final SophiaConfig.Oidc settings;
  private final Optional<String> clientSecret;
  private final OidcTokens bearer;
  private final HttpClient http;
  private final SecureRandom random = new SecureRandom();
  private final AtomicReference<Endpoints> endpoints = new AtomicReference<>();

  /** The issuer's endpoints and the key source for its ID tokens, read once. */
  private record Endpoints(OidcDiscovery discovery, JWKSource<SecurityContext> keys) {}

  /** What {@link #begin} made: where to send the browser, and what the callback must match. */
  public record Authorization(URI location, String state, String nonce, String verifier) {}

  private OidcSignIn(SophiaConfig.Oidc settings, Optional<String> clientSecret) {
    this.settings = settings;
    this.clientSecret = clientSecret;
    this.bearer = OidcTokens.create(settings).orElseThrow();
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * The sign-in for {@code security.oidc}; empty without an issuer and a client id. The client
   * secret is {@code SOPHIA_OIDC_CLIENT_SECRET} (or its {@code _FILE}), else {@code
   * client_secret_file}; without one the client is public and PKCE alone binds the code.
   */
  public static Optional<OidcSignIn> create(SophiaConfig.Oidc settings, Secrets secrets) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(secrets, "secrets");
    if (!settings.signInEnabled()) {
      return Optional.empty();
    }
    Optional<String> secret =
        secrets
            .get("SOPHIA_OIDC_CLIENT_SECRET")
            .or(() -> secrets.file(settings.clientSecretFile()));
    return Optional.of(new OidcSignIn(settings, secret));
  }

  /** The issuer's URL. */
  public String issuer() {
    return settings.issuer();
  }

  /** A short name for the issuer, for the sign-in button: its host. */
  public String issuerName() {
    String host = URI.create(settings.issuer()).getHost();
    return host == null ? settings.issuer() : host;
  }

  /** The client secret, when the client is confidential (for keying what must survive nodes). */
  public Optional<String> clientSecret() {
    return clientSecret;
  }

  /**
   * A new sign-in: fresh state, nonce and PKCE verifier, and the issuer's authorization address
   * carrying the state, the nonce and the verifier's S256 challenge.
   *
   * @throws UnavailableException when the issuer cannot be reached
   */
  public Authorization begin() {
    String state = token();
    String nonce = token();
    String verifier = token();
    Map<String, String> query = new LinkedHashMap<>();
    query.put("response_type", "code");
    query.put("client_id", settings.clientId());
    query.put("redirect_uri", settings.redirectUri());
    query.put("scope", String.join(" ", settings.scopes()));
    query.put("state", state);
    query.put("nonce", nonce);
    query.put("code_challenge", challenge(verifier));
    query.put("code_challenge_method", "S256");
    String endpoint = endpoints().discovery().authorizationEndpoint();
    URI location = URI.create(endpoint + (endpoint.contains("?") ? "&" : "?") + form(query));
    return new Authorization(location, state, nonce, verifier);
  }

  /**
   * Exchanges {@code code} for tokens and gives the identity the ID token names.
   *
   * @throws UnauthorizedException when the issuer refuses the code or the ID token is not valid
   * @throws ForbiddenException when the tokens name no Sophia role
   * @throws UnavailableException when the issuer cannot be reached
   */
  public ApiKey finish(String code, String verifier, String nonce) {
    JsonNode tokens = exchange(code, verifier);
    JWTClaimsSet id = idToken(tokens.path("id_token").asText(""), nonce);
    String accessToken = tokens.path("access_token").asText("");
    Optional<Role> named =
        OidcTokens.namedRole(id.toJSONObject(), settings.rolesClaim())
            .or(() -> accessTokenRole(accessToken));
    String name = OidcTokens.identity(id, Role.readonly).name();
    Role role =
        named.orElseThrow(
            () ->
                new ForbiddenException(
                    "'"
                        + name
                        + "' has no Sophia role at the issuer (admin, developer, user or readonly in"
                        + " the "
                        + settings.rolesClaim()
                        + " claim); ask its administrator for one"));
    return OidcTokens.identity(id, OidcTokens.capped(role, tokens.path("scope").asText("")));
  }

  private Optional<Role> accessTokenRole(String accessToken) {
    if (!OidcTokens.looksLikeJwt(accessToken)) {
      return Optional.empty();
    }
    try {
      JWTClaimsSet claims = bearer.claims(accessToken);
      return OidcTokens.namedRole(claims.toJSONObject(), settings.rolesClaim())
          .map(r -> OidcTokens.capped(r, OidcTokens.text(claims.getClaim("scope"))));
    } catch (UnauthorizedException e) {
      return Optional.empty(); // not meant for Sophia (another audience): the ID token decides
    }
  }

  /** The token endpoint's answer to the code, or why it refused. */
  private JsonNode exchange(String code, String verifier) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", settings.redirectUri());
    form.put("code_verifier", verifier);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(endpoints().discovery().tokenEndpoint()))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json");
    if (clientSecret.isPresent()) {
      // client_secret_basic (RFC 6749 2.3.1): both parts form-encoded, then Base64.
      String credentials =
          URLEncoder.encode(settings.clientId(), StandardCharsets.UTF_8)
              + ":"
              + URLEncoder.encode(clientSecret.get(), StandardCharsets.UTF_8);
      request.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    } else {
      form.put("client_id", settings.clientId());
    }
    try {
      HttpResponse<String> r =
          http.send(
              request.POST(HttpRequest.BodyPublishers.ofString(form(form))).build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
      if (r.statusCode() != 200) {
        String error = body.path("error").asText("status " + r.statusCode());
        throw new UnauthorizedException(
            "the issuer refused the sign-in code (" + printable(error) + "); sign in again");
      }
      return body;
    } catch (IOException e) {
      throw new UnavailableException("the OpenID issuer's token endpoint cannot be reached");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while reaching the OpenID issuer");
    }
  }

  /** The claims of a valid ID token for this client and this sign-in's nonce. */
  private JWTClaimsSet idToken(String token, String nonce) {
    if (token.isEmpty()) {
      throw new UnauthorizedException("the issuer sent no ID token; is 'openid' among the scopes?");
    }
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(
            Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), endpoints().keys()));
    DefaultJWTClaimsVerifier<SecurityContext> verifier =
        new DefaultJWTClaimsVerifier<>(
            settings.clientId(),
            new JWTClaimsSet.Builder().issuer(settings.issuer()).claim("nonce", nonce).build(),
            Set.of("sub", "exp", "iat"));
    verifier.setMaxClockSkew(settings.clockSkewSeconds());
    processor.setJWTClaimsSetVerifier(verifier);
    try {
      return processor.process(token, null);
    } catch (ParseException e) {
      throw new UnauthorizedException("the issuer's ID token is not a valid JWT");
    } catch (BadJOSEException | JOSEException e) {
      throw new UnauthorizedException("the issuer's ID token was refused: " + e.getMessage());
    }
  }

  private Endpoints endpoints() {
    Endpoints known = endpoints.get();
    if (known != null) {
      return known;
    }
    OidcDiscovery discovery = OidcDiscovery.fetch(http, settings.issuer());
    if (discovery.authorizationEndpoint().isEmpty() || discovery.tokenEndpoint().isEmpty()) {
      throw new UnavailableException(
          "the OpenID issuer's discovery document names no authorization_endpoint or"
              + " token_endpoint; it cannot sign the dashboard in");
    }
    try {
      JWKSource<SecurityContext> keys =
          JWKSourceBuilder.create(discovery.jwksUri().toURL()).retrying(true).build();
      endpoints.compareAndSet(null, new Endpoints(discovery, keys));
      return endpoints.get();
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new UnavailableException("the OpenID issuer's jwks_uri is not a usable URL");
    }
  }

  /** The PKCE S256 challenge of {@code verifier} (RFC 7636 4.2). */
  static String challenge(String verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return BASE64URL.encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** 256 random bits, base64url: 43 characters, a valid PKCE verifier too. */
  private String token() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return BASE64URL.encodeToString(bytes);
  }

  private static String form(Map<String, String> values) {
    return values.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  /** An issuer's words (an error code, its description), fit to show: printable ASCII, short. */
  public static String printable(String s) {
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 200 ? clean.substring(0, 200) : clean;
  }
}
