package ai.sophia.server.routes;

import ai.sophia.error.ConflictException;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.security.ApiKey;
import ai.sophia.security.ApiKeyStore;
import ai.sophia.security.IssuedKey;
import ai.sophia.security.Role;
import ai.sophia.security.TotpFactors;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.RequestBodies;
import ai.sophia.server.http.Sessions;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * API keys, for admins: {@code GET /api/v1/keys} lists them (revoked ones too, never a secret),
 * {@code POST /api/v1/keys} with {@code {name, role, expires_in_days}} creates one and shows its
 * secret this once, {@code POST /api/v1/keys/{id}/rotate} with {@code {grace_seconds}} replaces its
 * secret (the old one works for the grace period, 24 hours by default), {@code DELETE
 * /api/v1/keys/{id}} revokes one and ends its dashboard sessions at once. The last active admin key
 * cannot be revoked here (that would lock every admin out; the CLI still can).
 */
public final class KeyRoutes {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9 ._-]{1,64}");
  private static final int MAX_DAYS = 3650;
  private static final Duration DEFAULT_GRACE = Duration.ofHours(24);
  private static final Duration MAX_GRACE = Duration.ofDays(30);

  private final ApiKeyStore keys;
  private final Sessions sessions;
  private final TotpFactors totp;
  private final RequestBodies bodies;

  public KeyRoutes(ApiKeyStore keys, Sessions sessions, TotpFactors totp, RequestBodies bodies) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.totp = Objects.requireNonNull(totp, "totp");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
  }

  public void register(RoutesConfig routes) {
    routes.get("/api/v1/keys", this::list, Access.ADMIN);
    routes.post("/api/v1/keys", this::create, Access.ADMIN);
    routes.post("/api/v1/keys/{id}/rotate", this::rotate, Access.ADMIN);
    routes.delete("/api/v1/keys/{id}", this::revoke, Access.ADMIN);
    routes.delete("/api/v1/keys/{id}/totp", this::removeTotp, Access.ADMIN);
  }

  /** Removes a key's second factor (a lost phone): it signs in with the key alone again. */
  private void removeTotp(Context ctx) {
    String id = AgentBodies.id("id", ctx.pathParam("id"));
    if (!totp.remove(id)) {
      throw new NotFoundException("key '" + id + "' has no second factor");
    }
    ctx.status(204);
  }

  private void list(Context ctx) {
    ctx.json(Map.of("keys", keys.list().stream().map(KeyRoutes::view).toList()));
  }

  private void create(Context ctx) {
    NewKey body = bodies.read(ctx, NewKey.class);
    if (body.name() == null || !NAME.matcher(body.name()).matches()) {
      throw new InvalidInputException(
          "name", "name is required: 1 to 64 letters, digits, spaces, '.', '_' or '-'");
    }
    Role role = role(body.role());
    Optional<Instant> expires = Optional.empty();
    if (body.expiresInDays() != null) {
      if (body.expiresInDays() < 1 || body.expiresInDays() > MAX_DAYS) {
        throw new InvalidInputException(
            "expires_in_days", "expires_in_days must be 1 to " + MAX_DAYS);
      }
      expires = Optional.of(Instant.now().plus(Duration.ofDays(body.expiresInDays())));
    }
    IssuedKey issued = keys.create(body.name(), role, expires);
    issued(ctx, issued);
  }

  private void rotate(Context ctx) {
    String id = AgentBodies.id("id", ctx.pathParam("id"));
    Rotation body = bodies.readOrDefault(ctx, Rotation.class, new Rotation(null));
    long grace = body.graceSeconds() == null ? DEFAULT_GRACE.toSeconds() : body.graceSeconds();
    if (grace < 0 || grace > MAX_GRACE.toSeconds()) {
      throw new InvalidInputException(
          "grace_seconds", "grace_seconds must be 0 to " + MAX_GRACE.toSeconds());
    }
    IssuedKey issued = keys.rotate(id, Instant.now().plusSeconds(grace));
    if (grace == 0) {
      sessions.endForKey(id);
    }
    issued(ctx, issued);
  }

  private static void issued(Context ctx, IssuedKey issued) {
    Map<String, Object> view = view(issued.key());
    view.put("secret", issued.secret());
    ctx.header("Cache-Control", "no-store");
    ctx.status(201).json(view);
  }

  private void revoke(Context ctx) {
    String id = AgentBodies.id("id", ctx.pathParam("id"));
    List<ApiKey> all = keys.list();
    ApiKey key =
        all.stream()
            .filter(k -> k.id().equals(id) && k.active())
            .findFirst()
            .orElseThrow(() -> new NotFoundException("no active API key with id '" + id + "'"));
    long admins = all.stream().filter(k -> k.active() && k.role() == Role.admin).count();
    if (key.role() == Role.admin && admins == 1) {
      throw new ConflictException(
          "key '" + key.name() + "' is the last active admin key; create another admin key first");
    }
    keys.revoke(id);
    sessions.endForKey(id);
    ctx.status(204);
  }

  private static Role role(String role) {
    if (role == null) {
      return Role.user;
    }
    return Arrays.stream(Role.values())
        .filter(r -> r.name().equals(role))
        .findFirst()
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "role", "role must be one of " + Arrays.toString(Role.values())));
  }

  private static Map<String, Object> view(ApiKey key) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", key.id());
    view.put("name", key.name());
    view.put("role", key.role().name());
    view.put("prefix", key.prefix());
    view.put("created_at", key.createdAt().toString());
    view.put("expires_at", key.expiresAt().map(Object::toString).orElse(null));
    view.put("revoked_at", key.revokedAt().map(Object::toString).orElse(null));
    view.put("active", key.active());
    return view;
  }

  record NewKey(String name, String role, Integer expiresInDays) {}

  record Rotation(Long graceSeconds) {}
}
