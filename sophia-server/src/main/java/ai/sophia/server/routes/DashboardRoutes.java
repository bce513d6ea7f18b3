package ai.sophia.server.routes;

import ai.sophia.error.NotFoundException;
import ai.sophia.server.http.Access;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard: {@code GET /} is its page, {@code GET /ui/…} its scripts and styles, all read once
 * from the jar ({@code ai/sophia/dashboard/}) and kept in memory; nothing is fetched from anywhere
 * else, so it works air-gapped. Every answer carries a strict Content-Security-Policy (no inline
 * script or style, nothing from another origin, no framing), besides the headers every answer has
 * ({@code nosniff}, {@code no-referrer}, {@code DENY} framing); each file has an ETag and is
 * revalidated ({@code no-cache}), so an upgraded server is seen at once and an unchanged file costs
 * a 304. The page itself needs no key: it signs in through {@code /api/v1/session}.
 */
public final class DashboardRoutes {
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private static final String ROOT = "ai/sophia/dashboard/";
  private static final Pattern FILE =
      Pattern.compile("(?:[a-z0-9-]+/)?[a-z0-9-]+\\.(?:js|css|svg|html)");
  private static final Map<String, String> TYPES =
      Map.of(
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "html", "text/html; charset=utf-8");

  private final Map<String, Optional<Asset>> assets = new ConcurrentHashMap<>();

  record Asset(byte[] bytes, String type, String etag) {}

  public void register(RoutesConfig routes) {
    routes.get("/", ctx -> serve(ctx, "index.html"), Access.PUBLIC);
    routes.get("/ui/<file>", ctx -> serve(ctx, ctx.pathParam("file")), Access.PUBLIC);
    // Declared, or a HEAD (a link checker, a load balancer) would meet the Guard as an admin route.
    routes.head("/", ctx -> serve(ctx, "index.html"), Access.PUBLIC);
  }

  private void serve(Context ctx, String name) {
    Asset asset =
        (FILE.matcher(name).matches()
                ? assets.computeIfAbsent(name, DashboardRoutes::load)
                : Optional.<Asset>empty())
            .orElseThrow(() -> new NotFoundException("the dashboard has no file '" + name + "'"));
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("Cache-Control", "no-cache");
    ctx.header("ETag", asset.etag());
    if (asset.etag().equals(ctx.header("If-None-Match"))) {
      ctx.status(304);
      return;
    }
    ctx.contentType(asset.type()).result(asset.bytes());
  }

  private static Optional<Asset> load(String name) {
    try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(ROOT + name)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
      return Optional.of(new Asset(bytes, type, "\"" + sha256(bytes).substring(0, 32) + "\""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
