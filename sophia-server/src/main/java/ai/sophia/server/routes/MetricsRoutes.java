package ai.sophia.server.routes;

import ai.sophia.server.http.Access;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;

/**
 * {@code GET /metrics}: the Prometheus text exposition. It needs an API key (any role) like every
 * endpoint but /health, because metrics reveal traffic and internals; Prometheus sends one with
 * {@code authorization: {credentials: <key>}} in its scrape config.
 */
public final class MetricsRoutes {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;

  public MetricsRoutes(PrometheusMeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  public void register(RoutesConfig routes) {
    routes.get("/metrics", this::metrics, Access.READ);
  }

  private void metrics(Context ctx) {
    ctx.contentType(CONTENT_TYPE).result(registry.scrape());
  }
}
