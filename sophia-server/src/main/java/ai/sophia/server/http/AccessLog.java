package ai.sophia.server.http;

import io.javalin.http.Context;
import io.javalin.http.RequestLogger;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs once per finished request: one access log line (method, path, status, duration, key id —
 * never a secret or an Authorization header), the {@code http.server.requests} timer tagged by
 * route template rather than raw path (so ids in paths do not explode the series count), and the
 * request rate; the audit log's entry when the request belongs there ({@link AuditTrail}). It also
 * ends the request's logging context.
 */
public final class AccessLog implements RequestLogger {
  private static final Logger log = LoggerFactory.getLogger("ai.sophia.access");

  private final MeterRegistry registry;
  private final RequestRate rate;
  private final AuditTrail audit;
  // Micrometer's builder-and-register per request costs an id, a tag sort and a registry lookup;
  // the set is small (route templates × methods × statuses), so each timer is found once.
  private final Map<Series, Timer> timers = new ConcurrentHashMap<>();

  private record Series(String method, String uri, int status) {}

  private static final java.time.Duration[] SLO_BUCKETS = {
    java.time.Duration.ofMillis(50),
    java.time.Duration.ofMillis(100),
    java.time.Duration.ofMillis(200),
    java.time.Duration.ofMillis(500),
    java.time.Duration.ofSeconds(1),
    java.time.Duration.ofSeconds(2),
    java.time.Duration.ofSeconds(5)
  };

  public AccessLog(MeterRegistry registry, RequestRate rate, AuditTrail audit) {
    this.registry = registry;
    this.rate = rate;
    this.audit = audit;
  }

  @Override
  public void handle(Context ctx, Float executionTimeMs) {
    try {
      String method = ctx.method().name();
      String template = routeTemplate(ctx, ctx.statusCode());
      if (ctx.endpoints().matchedHttpEndpoint() != null) {
        ctx.req().setAttribute(RequestTracing.ROUTE, template);
      }
      int status = ctx.statusCode();
      record(
          method,
          template,
          ctx.path(),
          status,
          (long) (executionTimeMs * 1_000_000L),
          Guard.keyId(ctx).orElse("-"));
      if (AuditTrail.audited(method, template, status)) {
        audit.record(
            method,
            template,
            ctx.path(),
            status,
            Guard.key(ctx).orElse(null),
            ctx.ip(),
            RequestIds.current(ctx));
      }
    } finally {
      RequestIds.clear();
    }
  }

  /**
   * Records one finished request served outside Javalin's routes (the MCP endpoint) the same way:
   * timer, request rate and access log line.
   */
  public void record(
      String method, String uriTemplate, String path, int status, long nanos, String keyId) {
    timers
        .computeIfAbsent(new Series(method, uriTemplate, status), this::timer)
        .record(nanos, TimeUnit.NANOSECONDS);
    rate.record();
    double ms = nanos / 1_000_000.0;
    log.atInfo()
        .addKeyValue("method", method)
        .addKeyValue("path", path)
        .addKeyValue("status", status)
        .addKeyValue("duration_ms", Math.round(ms * 10) / 10.0)
        .addKeyValue("api_key_id", keyId)
        .log("{} {} {} {}ms", method, path, status, Math.round(ms));
  }

  private Timer timer(Series series) {
    return Timer.builder("http.server.requests")
        .description("HTTP requests served, by route template, method and status")
        .tag("method", series.method())
        .tag("uri", series.uri())
        .tag("status", Integer.toString(series.status()))
        .tag("outcome", outcome(series.status()))
        // A few fixed buckets, enough for the alert rules' p95 (ops/prometheus), not a full
        // histogram.
        .serviceLevelObjectives(SLO_BUCKETS)
        .register(registry);
  }

  private static String routeTemplate(Context ctx, int status) {
    Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
    if (endpoint != null) {
      return endpoint.path;
    }
    return status == 404 ? "NOT_FOUND" : "UNMATCHED";
  }

  private static String outcome(int status) {
    return switch (status / 100) {
      case 2 -> "SUCCESS";
      case 3 -> "REDIRECTION";
      case 4 -> "CLIENT_ERROR";
      case 5 -> "SERVER_ERROR";
      default -> "UNKNOWN";
    };
  }
}
