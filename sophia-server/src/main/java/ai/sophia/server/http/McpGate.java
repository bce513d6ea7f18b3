package ai.sophia.server.http;

import ai.sophia.error.UnauthorizedException;
import ai.sophia.mcp.Caller;
import ai.sophia.mcp.SophiaMcp;
import ai.sophia.security.ApiKey;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * The gate in front of {@code /mcp}, a servlet filter because Javalin's before-handlers do not run
 * for a servlet mounted beside it. In order: the {@code Host} header (when Sophia listens on
 * loopback, only loopback names and the hosts of {@code mcp.allowed_origins}) and a browser's
 * {@code Origin} (only Sophia's own or a configured one) against DNS rebinding (403); then the API
 * key exactly as {@link Guard} checks it (401 with {@code WWW-Authenticate} naming the
 * protected-resource metadata document and the least scope), the key's rate limit (429), and the
 * caller for the tools, which check each tool's role themselves; an OAuth token below a tool's role
 * is refused here, 403 {@code insufficient_scope} naming the scope it needs. Last, a POSTed message
 * passes {@code inbound} (MCP cancellation, which the SDK lacks): a {@code notifications/cancelled}
 * is answered 202 here, a {@code tools/call} reaches the SDK tagged so that it can be cancelled. A
 * request the SDK answers with a server-sent event stream gets a {@link ResumableStreams resumable}
 * one, which the SDK lacks too: a GET with {@code Last-Event-ID} resumes it.
 */
public final class McpGate implements Filter {
  /** The protected-resource metadata document (RFC 9728) that the MCP authorization spec uses. */
  public static final String METADATA_PATH = "/.well-known/oauth-protected-resource";

  /** What Streamable HTTP uses; OPTIONS is left to the servlet, which answers with Allow. */
  private static final Set<String> METHODS = Set.of("GET", "POST", "DELETE", "OPTIONS");

  /** The {@link ApiKey#prefix} of identities from the OpenID issuer's tokens. */
  private static final String OIDC_PREFIX = "oidc";

  private static final Set<String> LOOPBACK_NAMES =
      Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  private final Guard guard;
  private final ObjectMapper mapper;
  private final String bindHost;
  private final IntSupplier port;
  private final List<String> allowedOrigins;
  private final BiFunction<String, String, Optional<String>> inbound;
  private final int maxBodyBytes;
  private final AccessLog accessLog;
  private final AuditTrail audit;
  private final ResumableStreams streams;
  private final Function<String, Optional<Role>> toolRoles;

  /**
   * @param bindHost the address Sophia listens on ({@code server.host})
   * @param port the bound port, known once the server started
   * @param allowedOrigins further browser origins ({@code mcp.allowed_origins})
   * @param inbound what the SDK gets for a message from a scope (key and session): the message,
   *     possibly rewritten, or nothing when it was consumed
   * @param maxBodyBytes the largest message accepted ({@code server.max_body_bytes})
   * @param accessLog where each request is logged and timed, as Javalin's routes are
   * @param audit where refused requests are recorded
   * @param toolRoles the least role each of Sophia's tools needs, by name
   */
  public McpGate(
      Guard guard,
      ObjectMapper mapper,
      String bindHost,
      IntSupplier port,
      List<String> allowedOrigins,
      BiFunction<String, String, Optional<String>> inbound,
      int maxBodyBytes,
      AccessLog accessLog,
      AuditTrail audit,
      Function<String, Optional<Role>> toolRoles) {
    this.toolRoles = toolRoles;
    this.accessLog = accessLog;
    this.audit = audit;
    this.streams = new ResumableStreams(mapper, Clock.systemUTC());
    this.inbound = inbound;
    this.maxBodyBytes = maxBodyBytes;
    this.guard = guard;
    this.mapper = mapper;
    this.bindHost = bindHost;
    this.port = port;
    this.allowedOrigins =
        allowedOrigins.stream().map(o -> stripSlash(o).toLowerCase(Locale.ROOT)).toList();
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    long started = System.nanoTime();
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "no-referrer");
    response.setHeader("X-Frame-Options", "DENY");
    try {
      gate(request, response, chain);
    } finally {
      // A streamed answer (server-sent events) is counted until the servlet hands it off.
      accessLog.record(
          request.getMethod(),
          SophiaMcp.ENDPOINT,
          request.getRequestURI(),
          response.getStatus(),
          System.nanoTime() - started,
          request.getAttribute(Caller.ATTRIBUTE) instanceof Caller c ? c.keyId() : "-");
      // MCP is JSON-RPC over POST, mostly reads: only refused requests are audited here.
      int status = response.getStatus();
      if (status == 401 || status == 403) {
        audit.record(
            request.getMethod(),
            SophiaMcp.ENDPOINT,
            request.getRequestURI(),
            status,
            null,
            request.getRemoteAddr(),
            "-");
      }
    }
  }

  private void gate(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String host = request.getHeader("Host");
    if (!hostAllowed(host)) {
      problem(response, 403, "forbidden", "Forbidden", "Host '" + host + "' is not served here");
      return;
    }
    String origin = request.getHeader("Origin");
    if (origin != null && !originAllowed(origin)) {
      problem(
          response,
          403,
          "forbidden",
          "Forbidden",
          "Origin '" + origin + "' may not call /mcp; add it to mcp.allowed_origins to allow it");
      return;
    }
    ApiKey key;
    try {
      key = guard.authenticate(request.getHeader("Authorization"), request.getHeader("X-API-Key"));
    } catch (UnauthorizedException e) {
      String metadata = request.getScheme() + "://" + host + METADATA_PATH;
      // RFC 6750 3.1: a credential that was presented and refused is an invalid_token.
      boolean presented =
          request.getHeader("Authorization") != null || request.getHeader("X-API-Key") != null;
      response.setHeader(
          "WWW-Authenticate",
          "Bearer realm=\"sophia\", "
              + (presented ? "error=\"invalid_token\", " : "")
              + "resource_metadata=\""
              + metadata
              + "\", scope=\""
              + Role.readonly.scope()
              + "\"");
      problem(response, 401, "unauthorized", "Unauthorized", e.getMessage());
      return;
    }
    RateLimiter.Decision decision = guard.acquire(key.id());
    response.setHeader("X-RateLimit-Limit", Integer.toString(guard.burst()));
    response.setHeader("X-RateLimit-Remaining", Integer.toString(decision.remaining()));
    if (!decision.allowed()) {
      long seconds = Math.max(1, (decision.retryAfter().toMillis() + 999) / 1000);
      response.setHeader("Retry-After", Long.toString(seconds));
      problem(response, 429, "rate-limited", "Too Many Requests", "rate limit exceeded");
      return;
    }
    request.setAttribute(Caller.ATTRIBUTE, new Caller(key.id(), key.role()));
    String method = request.getMethod().toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      response.setHeader("Allow", "GET, POST, DELETE");
      JsonRpcErrors.write(
          response,
          new JsonRpcErrors.Fault(
              405,
              JsonRpcErrors.INVALID_REQUEST,
              "Method Not Allowed: /mcp takes GET, POST and DELETE",
              null));
      return;
    }
    String session = request.getHeader("Mcp-Session-Id");
    String scope = key.id() + "/" + (session == null ? "" : session);
    if (method.equals("GET") && streams.resume(scope, request, response)) {
      return;
    }
    if (!method.equals("POST")) {
      sdk(request, response, chain);
      return;
    }
    byte[] body = request.getInputStream().readNBytes(maxBodyBytes + 1);
    if (body.length > maxBodyBytes) {
      RequestBodies.drain(request.getInputStream());
      problem(
          response,
          413,
          "payload-too-large",
          "Payload Too Large",
          "the message is larger than " + maxBodyBytes + " bytes (server.max_body_bytes)");
      return;
    }
    String text = new String(body, StandardCharsets.UTF_8);
    Optional<JsonRpcErrors.Fault> fault = JsonRpcErrors.check(text);
    if (fault.isPresent()) {
      JsonRpcErrors.write(response, fault.get());
      return;
    }
    Optional<String> message = inbound.apply(scope, text);
    if (message.isEmpty()) {
      response.setStatus(202); // a notification, handled
      return;
    }
    HttpServletRequest buffered = new BufferedBody(request, message.get());
    JsonNode parsed = mapper.readTree(message.get());
    Optional<Role> needed = tooWeak(key, parsed);
    if (needed.isPresent()) {
      response.setHeader(
          "WWW-Authenticate",
          "Bearer error=\"insufficient_scope\", scope=\""
              + needed.get().scope()
              + "\", resource_metadata=\""
              + request.getScheme()
              + "://"
              + host
              + METADATA_PATH
              + "\"");
      problem(
          response,
          403,
          "forbidden",
          "Forbidden",
          "the tool needs role "
              + needed.get()
              + " (scope "
              + needed.get().scope()
              + "); this token has role "
              + key.role());
      return;
    }
    if (parsed.has("method") && parsed.hasNonNull("id")) {
      ResumableStreams.Exchange exchange =
          streams.record(key.id(), scope, parsed.get("id"), buffered, response);
      sdk(exchange.request(), exchange.response(), chain);
    } else {
      sdk(buffered, response, chain);
    }
  }

  /**
   * The role a {@code tools/call} needs when the caller is an OAuth token (a JWT) below it: such a
   * client can ask its issuer for more scope, so it gets the HTTP 403 the MCP authorization spec
   * names. An API key too weak gets the tool's own error result instead: it cannot be re-scoped.
   */
  private Optional<Role> tooWeak(ApiKey key, JsonNode message) {
    if (!OIDC_PREFIX.equals(key.prefix())
        || !"tools/call".equals(message.path("method").asText())) {
      return Optional.empty();
    }
    return toolRoles
        .apply(message.path("params").path("name").asText(""))
        .filter(role -> !key.role().atLeast(role));
  }

  /** Hands the request to the SDK; an error it answers becomes a JSON-RPC error object. */
  private void sdk(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    JsonRpcErrors.Capture capture = new JsonRpcErrors.Capture(response);
    chain.doFilter(request, capture);
    capture.finish(request);
  }

  /** The request with its body read, and possibly rewritten, by the gate. */
  private static final class BufferedBody extends HttpServletRequestWrapper {
    private final byte[] body;

    BufferedBody(HttpServletRequest request, String body) {
      super(request);
      this.body = body.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new IllegalStateException("the MCP body is already buffered");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
    }

    @Override
    public String getCharacterEncoding() {
      return StandardCharsets.UTF_8.name();
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }
  }

  private boolean hostAllowed(String host) {
    if (host == null || host.isBlank()) {
      return false;
    }
    if (!loopback(bindHost)) {
      return true; // exposed on purpose: the names it is reached by are not known here
    }
    String name = hostName(host);
    if (LOOPBACK_NAMES.contains(name)) {
      return true;
    }
    return allowedOrigins.stream().anyMatch(o -> name.equals(originHost(o)));
  }

  private boolean originAllowed(String origin) {
    String o = stripSlash(origin).toLowerCase(Locale.ROOT);
    if (allowedOrigins.contains(o)) {
      return true;
    }
    int p = port.getAsInt();
    for (String name : List.of("localhost", "127.0.0.1", "[::1]", bindHost)) {
      if (!name.equals("0.0.0.0") && !name.equals("::")) {
        if (o.equals("http://" + name + ":" + p) || o.equals("https://" + name + ":" + p)) {
          return true;
        }
      }
    }
    return false;
  }

  private void problem(
      HttpServletResponse response, int status, String slug, String title, String detail)
      throws IOException {
    response.setStatus(status);
    response.setContentType(Problem.MEDIA_TYPE);
    mapper.writeValue(
        response.getOutputStream(),
        new Problem(
            Problem.type(slug), title, status, detail, "/mcp", null, UUID.randomUUID().toString()));
  }

  private static boolean loopback(String host) {
    return LOOPBACK_NAMES.contains(host.toLowerCase(Locale.ROOT)) || host.startsWith("127.");
  }

  private static String hostName(String hostHeader) {
    String h = hostHeader.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(0, end + 1);
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  private static String originHost(String origin) {
    try {
      String host = URI.create(origin).getHost();
      return host == null ? "" : host.toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
