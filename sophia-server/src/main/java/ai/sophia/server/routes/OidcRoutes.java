package ai.sophia.server.routes;

import ai.sophia.error.InvalidInputException;
import ai.sophia.error.UnauthorizedException;
import ai.sophia.security.ApiKey;
import ai.sophia.security.OidcSignIn;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.AuditTrail;
import ai.sophia.server.http.Guard;
import ai.sophia.server.http.Sessions;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The dashboard's sign-in with the OpenID issuer, beside the key sign-in: {@code GET
 * /api/v1/session/options} says which sign-ins this server offers; {@code GET
 * /dashboard/oidc/login} sends the browser to the issuer (authorization code + PKCE) with the
 * sign-in's state kept in a signed cookie; {@code GET /dashboard/oidc/callback} checks the state,
 * lets {@link OidcSignIn} exchange the code and check the ID token, then opens the same session the
 * key sign-in opens and sends the browser to the dashboard. Each state works once. Every callback,
 * signed in or refused, is in the audit log ({@link ai.sophia.server.http.AuditTrail}).
 */
public final class OidcRoutes {
  static final String LOGIN = OidcState.PATH + "/login";

  /** What the at-rest key derives a public client's state-cookie key for. */
  public static final String STATE_KEY_PURPOSE = "sophia oidc state cookie";

  static final String CALLBACK = AuditTrail.OIDC_CALLBACK;

  /** How long a sign-in may take at the issuer. */
  private static final Duration STATE_TTL = Duration.ofMinutes(10);

  private static final int MAX_PARAM_CHARS = 2_000;

  private final Optional<OidcSignIn> signIn;
  private final Sessions sessions;
  private final InstantSource clock;
  private final OidcState.Signer signer;
  private final Cache<String, Boolean> usedStates =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(STATE_TTL).build();

  private OidcRoutes(
      Optional<OidcSignIn> signIn,
      Sessions sessions,
      InstantSource clock,
      Optional<byte[]> sharedKey) {
    this.signIn = signIn;
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.signer = OidcState.Signer.create(signIn.flatMap(OidcSignIn::clientSecret), sharedKey);
  }

  /** Only the options, saying there is no sign-in with an issuer. */
  public static OidcRoutes disabled(Sessions sessions) {
    return new OidcRoutes(Optional.empty(), sessions, InstantSource.system(), Optional.empty());
  }

  /**
   * The sign-in with the issuer {@code signIn} talks to; {@code sharedKey}, a key every node holds,
   * signs a public client's state cookies (a confidential client's are keyed by its secret).
   */
  public static OidcRoutes enabled(
      OidcSignIn signIn, Sessions sessions, InstantSource clock, Optional<byte[]> sharedKey) {
    return new OidcRoutes(
        Optional.of(Objects.requireNonNull(signIn, "signIn")), sessions, clock, sharedKey);
  }

  public void register(RoutesConfig routes) {
    routes.get("/api/v1/session/options", this::options, Access.PUBLIC);
    if (signIn.isPresent()) {
      routes.get(LOGIN, this::login, Access.PUBLIC);
      routes.get(CALLBACK, this::callback, Access.PUBLIC);
    }
  }

  private void options(Context ctx) {
    Map<String, Object> oidc = new LinkedHashMap<>();
    oidc.put("enabled", signIn.isPresent());
    signIn.ifPresent(
        s -> {
          oidc.put("issuer", s.issuer());
          oidc.put("name", s.issuerName());
          oidc.put("login_url", LOGIN);
        });
    ctx.json(Map.of("key", true, "oidc", oidc));
  }

  private void login(Context ctx) {
    OidcSignIn.Authorization auth = signIn.orElseThrow().begin();
    OidcState state =
        new OidcState(auth.state(), auth.nonce(), auth.verifier(), clock.instant().plus(STATE_TTL));
    ctx.header("Cache-Control", "no-store");
    ctx.res()
        .addHeader(
            "Set-Cookie",
            OidcState.cookie(signer.seal(state), STATE_TTL.toSeconds(), SessionRoutes.secure(ctx)));
    ctx.status(302).header("Location", auth.location().toString());
  }

  private void callback(Context ctx) {
    ctx.header("Cache-Control", "no-store");
    // The state cookie serves one callback, whatever comes of it.
    ctx.res().addHeader("Set-Cookie", OidcState.cookie("", 0, SessionRoutes.secure(ctx)));
    String error = param(ctx, "error");
    if (!error.isEmpty()) {
      String description = param(ctx, "error_description");
      throw new UnauthorizedException(
          "the issuer did not sign you in ("
              + OidcSignIn.printable(error)
              + (description.isEmpty() ? "" : ": " + OidcSignIn.printable(description))
              + "); sign in again");
    }
    OidcState state =
        signer
            .open(ctx.cookie(OidcState.COOKIE), clock.instant())
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "state",
                        "this sign-in was not started here or took too long; sign in again from"
                            + " the dashboard"));
    if (!state.state().equals(param(ctx, "state"))) {
      throw new InvalidInputException(
          "state", "the state does not match this browser's sign-in; sign in again");
    }
    if (usedStates.asMap().putIfAbsent(state.state(), Boolean.TRUE) != null) {
      throw new InvalidInputException("state", "this sign-in was completed already");
    }
    String code = param(ctx, "code");
    if (code.isEmpty()) {
      throw new InvalidInputException("code", "the issuer sent no code; sign in again");
    }
    ApiKey identity = signIn.orElseThrow().finish(code, state.verifier(), state.nonce());
    Guard.identify(ctx, identity);
    Sessions.Opened opened = sessions.open(identity);
    ctx.res().addHeader("Set-Cookie", Sessions.cookie(opened.id(), SessionRoutes.secure(ctx)));
    ctx.status(302).header("Location", "/");
  }

  private static String param(Context ctx, String name) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return "";
    }
    if (value.length() > MAX_PARAM_CHARS) {
      throw new InvalidInputException(name, name + " is longer than " + MAX_PARAM_CHARS);
    }
    return value;
  }
}
