package ai.sophia.server.http;

import ai.sophia.tracing.TraceSpan;
import ai.sophia.tracing.Tracing;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;

/**
 * A server span around every request, Javalin's routes and {@code /mcp} alike (a servlet filter,
 * ahead of the others): it continues the caller's {@code traceparent}, is current while the request
 * is handled (so the access log line carries its ids), and is named {@code METHOD route} after the
 * route template {@link AccessLog} found, never after the raw path. Off, it only passes the request
 * on.
 */
public final class RequestTracing implements Filter {
  /** The request attribute holding the matched route template. */
  static final String ROUTE = "sophia.route";

  private final Tracing tracing;
  private final String mcpEndpoint;

  public RequestTracing(Tracing tracing, String mcpEndpoint) {
    this.tracing = Objects.requireNonNull(tracing, "tracing");
    this.mcpEndpoint = Objects.requireNonNull(mcpEndpoint, "mcpEndpoint");
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!tracing.enabled()
        || !(request instanceof HttpServletRequest http)
        || !(response instanceof HttpServletResponse answer)) {
      chain.doFilter(request, response);
      return;
    }
    String method = http.getMethod();
    try (TraceSpan span = tracing.serve(method, http::getHeader)) {
      span.set("http.request.method", method).set("url.path", http.getRequestURI());
      try {
        chain.doFilter(request, response);
      } catch (IOException | ServletException | RuntimeException e) {
        span.fail(e);
        throw e;
      } finally {
        Object route = http.getAttribute(ROUTE);
        String template =
            route instanceof String r
                ? r
                : mcpEndpoint.equals(http.getRequestURI()) ? mcpEndpoint : "";
        if (!template.isEmpty()) {
          span.name(method + " " + template).set("http.route", template);
        }
        int status = answer.getStatus();
        span.set("http.response.status_code", status);
        if (status >= 500) {
          span.fail(Integer.toString(status));
        }
      }
    }
  }
}
