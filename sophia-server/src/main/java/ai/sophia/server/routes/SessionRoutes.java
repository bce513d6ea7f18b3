package ai.sophia.server.routes;

import ai.sophia.error.InvalidInputException;
import ai.sophia.error.UnauthorizedException;
import ai.sophia.security.ApiKey;
import ai.sophia.security.TotpFactors;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.Guard;
import ai.sophia.server.http.RequestBodies;
import ai.sophia.server.http.Session;
import ai.sophia.server.http.Sessions;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The dashboard's sign-in: {@code POST /api/v1/session} with {@code {api_key}} opens a session (the
 * cookie plus the CSRF token in the body), {@code GET /api/v1/session} says who is signed in (and
 * gives a reloaded page its CSRF token back), {@code DELETE /api/v1/session} signs out. Any other
 * client keeps sending its key; these only swap it for a cookie a page's script cannot read.
 */
public final class SessionRoutes {
  private final Guard guard;
  private final Sessions sessions;
  private final TotpFactors totp;
  private final RequestBodies bodies;

  public SessionRoutes(Guard guard, Sessions sessions, TotpFactors totp, RequestBodies bodies) {
    this.guard = Objects.requireNonNull(guard, "guard");
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.totp = Objects.requireNonNull(totp, "totp");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/session", this::signIn, Access.PUBLIC);
    routes.get("/api/v1/session", this::current, Access.READ);
    routes.delete("/api/v1/session", this::signOut, Access.READ);
    routes.post("/api/v1/session/totp", this::enroll, Access.ADMIN);
    routes.post("/api/v1/session/totp/confirm", this::confirm, Access.ADMIN);
  }

  private void signIn(Context ctx) {
    SignIn body = bodies.read(ctx, SignIn.class);
    if (body.apiKey() == null || body.apiKey().isBlank()) {
      throw new InvalidInputException("api_key", "api_key is required: the key to sign in with");
    }
    ApiKey key = guard.keyFor(body.apiKey().strip());
    Guard.identify(ctx, key);
    if (totp.required(key.id())) {
      if (body.totp() == null || body.totp().isBlank()) {
        throw new UnauthorizedException(
            "key '"
                + key.name()
                + "' needs a one-time code: send totp, from its authenticator app");
      }
      if (!totp.verify(key.id(), body.totp())) {
        throw new UnauthorizedException("the one-time code is wrong, or was used already");
      }
    }
    Sessions.Opened opened = sessions.open(key);
    ctx.header("Set-Cookie", Sessions.cookie(opened.id(), secure(ctx)));
    ctx.header("Cache-Control", "no-store");
    ctx.status(201).json(view(key, opened.session()));
  }

  /** A second factor for the calling admin key: its secret and otpauth URI, shown this once. */
  private void enroll(Context ctx) {
    TotpFactors.Enrollment enrolled = totp.enroll(Guard.key(ctx).orElseThrow());
    ctx.header("Cache-Control", "no-store");
    ctx.status(201)
        .json(
            Map.of(
                "secret",
                enrolled.secret(),
                "otpauth_uri",
                enrolled.uri(),
                "next",
                "POST /api/v1/session/totp/confirm with {code}: the first code puts it in force"));
  }

  private void confirm(Context ctx) {
    Code body = bodies.read(ctx, Code.class);
    if (!totp.confirm(Guard.key(ctx).orElseThrow().id(), body.code())) {
      throw new InvalidInputException(
          "code", "the code is not the authenticator app's current one");
    }
    ctx.status(204);
  }

  private void current(Context ctx) {
    ctx.header("Cache-Control", "no-store");
    ctx.json(view(Guard.key(ctx).orElseThrow(), Guard.session(ctx).orElse(null)));
  }

  private void signOut(Context ctx) {
    sessions.close(ctx.cookie(Sessions.COOKIE));
    ctx.header("Set-Cookie", Sessions.clearingCookie(secure(ctx)));
    ctx.status(204);
  }

  static boolean secure(Context ctx) {
    return "https".equalsIgnoreCase(ctx.scheme());
  }

  /** The signed-in key's public facts; with a session, its CSRF token and end. */
  private Map<String, Object> view(ApiKey key, Session session) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("key_id", key.id());
    view.put("name", key.name());
    view.put("role", key.role().name());
    view.put("second_factor", totp.required(key.id()));
    if (session != null) {
      view.put("csrf_token", session.csrfToken());
      view.put("expires_at", session.expiresAt().toString());
    }
    return view;
  }

  record SignIn(String apiKey, String totp) {}

  record Code(String code) {}
}
