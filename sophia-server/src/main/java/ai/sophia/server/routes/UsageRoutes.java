package ai.sophia.server.routes;

import ai.sophia.model.RoutingModelGateway;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.Guard;
import ai.sophia.server.http.RequestParams;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Objects;

/**
 * {@code GET /api/v1/usage}: the calling key's model spend today (UTC), its daily budget and what
 * is left, so a client can see a 402 coming. Totals for the whole server are in /system/stats.
 */
public final class UsageRoutes {
  private final RoutingModelGateway models;

  public UsageRoutes(RoutingModelGateway models) {
    this.models = Objects.requireNonNull(models, "models");
  }

  public void register(RoutesConfig routes) {
    routes.get("/api/v1/usage", this::usage, Access.READ);
    routes.get("/api/v1/usage/daily", this::daily, Access.READ);
  }

  /** {@code GET /api/v1/usage/daily?days=14}: the whole server's calls, tokens and cost per day. */
  private void daily(Context ctx) {
    RequestParams.allowOnly(ctx, java.util.Set.of("days"));
    int days = RequestParams.integer(ctx, "days", 14, 1, 366);
    ctx.json(java.util.Map.of("days", days, "usage", models.dailyUsage(days)));
  }

  private void usage(Context ctx) {
    ctx.json(models.budget(Guard.keyId(ctx).orElse("")));
  }
}
