package ai.sophia.mcp;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import ai.sophia.tracing.Traces;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.McpHttpClientTransportAuthorizationException;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.client.transport.customizer.McpHttpClientTransportAuthorizationErrorHandler;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MCP server Sophia is a client of, kept connected.
 *
 * <p>Design: a single virtual thread per connection ({@link #watch}) owns (re)connecting. It pings
 * the server every {@link #PING_EVERY}; when a ping or a tool call fails, the client is dropped,
 * the thread is woken, and it reconnects with exponential backoff and jitter (1 s doubling to 60
 * s). Tool calls never wait for a reconnect: while disconnected they fail at once with a message
 * saying so, which the agent's model reads. The tool list is the one the server gave at the last
 * connect.
 */
final class McpConnection implements AutoCloseable {
  private static final List<String> TRACE_HEADERS = List.of("traceparent", "tracestate");

  private static final Logger log = LoggerFactory.getLogger(McpConnection.class);
  static final Duration PING_EVERY = Duration.ofSeconds(15);
  private static final Duration BACKOFF_MIN = Duration.ofSeconds(1);
  private static final Duration BACKOFF_MAX = Duration.ofSeconds(60);

  /** Variables every stdio server gets; anything else only when listed in its {@code env}. */
  private static final List<String> BASE_ENV =
      List.of("PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "TEMP", "TMP", "SYSTEMROOT");

  private final String name;
  private final SophiaConfig.McpServerSpec spec;
  private final Map<String, String> env;
  private final Secrets secrets;
  private final Duration timeout;
  private final String version;
  private final McpTokenStore tokenStore;
  private final Object lock = new Object();

  /** Released when the client is dropped, so the watcher starts reconnecting at once. */
  private final java.util.concurrent.Semaphore dropped = new java.util.concurrent.Semaphore(0);

  private volatile McpSyncClient client;
  private volatile List<McpSchema.Tool> tools = List.of();
  private volatile String problem = "not connected yet";
  private volatile boolean closed;
  private Thread watcher;
  private OAuthTokens oauthTokens;

  McpConnection(
      String name,
      SophiaConfig.McpServerSpec spec,
      Map<String, String> env,
      String version,
      McpTokenStore tokenStore) {
    this.name = name;
    this.tokenStore = tokenStore;
    this.spec = spec;
    this.env = env;
    this.secrets = Secrets.create(env);
    this.timeout = Duration.ofMillis(spec.timeoutMs() == null ? 30_000 : spec.timeoutMs());
    this.version = version;
  }

  String name() {
    return name;
  }

  /**
   * Connects once now (bounded by the timeout), then keeps the connection alive in the background.
   */
  void start() {
    tryConnect();
    watcher = Thread.ofVirtual().name("mcp-" + name).start(this::watch);
  }

  List<McpSchema.Tool> tools() {
    return tools;
  }

  Optional<McpSchema.Tool> tool(String remoteName) {
    return tools.stream().filter(t -> t.name().equals(remoteName)).findFirst();
  }

  boolean connected() {
    return client != null;
  }

  /**
   * Calls a tool of this server.
   *
   * @throws OAuthTokens.InsufficientScope when the server refuses the call for insufficient scope
   *     (the connection stays up)
   * @throws McpUnavailable when the server is not connected or the call fails in transport
   */
  McpSchema.CallToolResult call(String remoteName, Map<String, Object> arguments) {
    McpSyncClient c = client;
    if (c == null) {
      throw new McpUnavailable(
          "MCP server '" + name + "' is not connected (" + problem + "); Sophia is reconnecting");
    }
    try {
      return c.callTool(new McpSchema.CallToolRequest(remoteName, arguments));
    } catch (RuntimeException e) {
      if (e instanceof io.modelcontextprotocol.spec.McpError error
          && error.getJsonRpcError() != null) {
        // The server answered with an error: the connection itself is fine.
        throw new McpUnavailable("MCP server '" + name + "': " + error.getMessage());
      }
      OAuthTokens.InsufficientScope scope = insufficientScope(e);
      if (scope != null) {
        throw scope; // only this request lacks a scope: the connection is fine
      }
      String why = why(e);
      drop(c, "call failed: " + why);
      throw new McpUnavailable("MCP server '" + name + "' failed: " + why);
    }
  }

  /** {@code mcp.<name>}, not critical: up while connected, down while reconnecting. */
  HealthCheck healthCheck() {
    return HealthCheck.of(
        "mcp." + name,
        Duration.ofSeconds(2),
        false,
        () ->
            client != null
                ? HealthStatus.up(
                    "connected; " + tools.size() + " tools", Map.of("tools", tools.size()))
                : HealthStatus.down("disconnected, reconnecting: " + problem));
  }

  private void watch() {
    Duration backoff = BACKOFF_MIN;
    while (!closed) {
      McpSyncClient c = client;
      try {
        if (c != null) {
          backoff = BACKOFF_MIN;
          if (dropped.tryAcquire(PING_EVERY.toMillis(), TimeUnit.MILLISECONDS) || closed) {
            continue;
          }
          try {
            c.ping();
          } catch (RuntimeException e) {
            drop(c, "ping failed: " + why(e));
          }
        } else {
          long jitter = ThreadLocalRandom.current().nextLong(backoff.toMillis() / 4 + 1);
          Thread.sleep(backoff.toMillis() + jitter);
          if (!closed && !tryConnect()) {
            backoff =
                backoff.multipliedBy(2).compareTo(BACKOFF_MAX) > 0
                    ? BACKOFF_MAX
                    : backoff.multipliedBy(2);
          }
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private boolean tryConnect() {
    McpSyncClient c = null;
    try {
      c =
          McpClient.sync(transport())
              .transportContextProvider(McpConnection::traceContext)
              .requestTimeout(timeout)
              .initializationTimeout(timeout)
              .clientInfo(new McpSchema.Implementation("sophia", version))
              .build();
      c.initialize();
      List<McpSchema.Tool> listed = new ArrayList<>();
      // A server without the tools capability is connected with no tools (the SDK would refuse).
      String cursor = null;
      boolean offersTools =
          c.getServerCapabilities() != null && c.getServerCapabilities().tools() != null;
      while (offersTools) {
        McpSchema.ListToolsResult page = c.listTools(cursor);
        listed.addAll(page.tools());
        cursor = page.nextCursor();
        offersTools = cursor != null && listed.size() < 10_000;
      }
      synchronized (lock) {
        if (closed) {
          c.close();
          return true;
        }
        this.tools = List.copyOf(listed);
        this.client = c;
        this.problem = "";
      }
      log.info("MCP server {} connected: {} tools", name, listed.size());
      return true;
    } catch (RuntimeException e) {
      problem = why(e);
      log.warn("MCP server {} could not be connected: {}", name, problem);
      if (c != null) {
        closeQuietly(c);
      }
      return false;
    }
  }

  private void drop(McpSyncClient c, String why) {
    synchronized (lock) {
      if (client != c) {
        return;
      }
      client = null;
      problem = why;
    }
    dropped.release();
    log.warn("MCP server {} disconnected ({}); reconnecting", name, why);
    // Not gracefully: the peer is gone, and a graceful close would wait for it.
    Thread.ofVirtual().start(c::close);
  }

  /** The caller's trace headers, taken on the calling thread for the request built later. */
  private static McpTransportContext traceContext() {
    Map<String, String> headers = Traces.headers();
    return headers.isEmpty()
        ? McpTransportContext.EMPTY
        : McpTransportContext.create(Map.<String, Object>copyOf(headers));
  }

  private McpClientTransport transport() {
    if (spec.url() != null && !spec.url().isBlank()) {
      HttpClientStreamableHttpTransport.Builder b =
          HttpClientStreamableHttpTransport.builder(spec.url())
              .jsonMapper(McpJsonDefaults.getMapper())
              .connectTimeout(timeout);
      String tokenEnv = spec.tokenEnv();
      String token = "";
      if (tokenEnv != null && !tokenEnv.isBlank()) {
        token = secrets.get(tokenEnv).orElse("");
        if (token.isBlank()) {
          throw new McpUnavailable("the variable " + tokenEnv + " (token_env) is not set");
        }
      }
      String fixed = token;
      OAuthTokens oauth = spec.oauth() == null ? null : oauthTokens();
      if (oauth != null) {
        // A 401 renews the token once (or finds the token endpoint) and the request goes again.
        b.authorizationErrorHandler(
            McpHttpClientTransportAuthorizationErrorHandler.fromSync(
                (request, response, context) ->
                    oauth.unauthorized(
                        request,
                        response.statusCode(),
                        response.headers().firstValue("WWW-Authenticate").orElse(""))));
      }
      // The caller's trace goes along as traceparent (from the transport context: the request is
      // built on a Reactor thread, where the caller's context is not current).
      b.httpRequestCustomizer(
          (request, method, uri, body, context) -> {
            String bearer = oauth == null ? fixed : oauth.bearer();
            if (!bearer.isEmpty()) {
              request.setHeader("Authorization", "Bearer " + bearer);
            }
            if (context != null) {
              for (String header : TRACE_HEADERS) {
                if (context.get(header) instanceof String value) {
                  request.setHeader(header, value);
                }
              }
            }
          });
      return b.build();
    }
    Map<String, String> childEnv = new LinkedHashMap<>();
    for (String var : spec.env() == null ? List.<String>of() : spec.env()) {
      String value =
          secrets
              .get(var)
              .orElseThrow(
                  () -> new McpUnavailable("the variable " + var + " (listed in env) is not set"));
      childEnv.put(var, value);
    }
    ServerParameters params =
        ServerParameters.builder(spec.command())
            .args(spec.args() == null ? List.of() : spec.args())
            .env(childEnv)
            .build();
    StdioClientTransport stdio =
        new StdioClientTransport(params, McpJsonDefaults.getMapper()) {
          @Override
          protected ProcessBuilder getProcessBuilder() {
            // Only the base variables and the listed ones: Sophia's own secrets stay home.
            ProcessBuilder pb = super.getProcessBuilder();
            Map<String, String> e = pb.environment();
            e.clear();
            for (String var : BASE_ENV) {
              String value = env.get(var);
              if (value != null) {
                e.put(var, value);
              }
            }
            return pb;
          }
        };
    stdio.setStdErrorHandler(line -> log.debug("MCP server {} stderr: {}", name, line));
    return stdio;
  }

  /** The connection's OAuth tokens, made once so that a reconnect keeps the token it had. */
  private synchronized OAuthTokens oauthTokens() {
    if (oauthTokens == null) {
      SophiaConfig.McpOAuth o = spec.oauth();
      String secret = OAuthTokens.secret(secrets, o);
      java.security.PrivateKey key = OAuthTokens.privateKey(name, secrets, o);
      oauthTokens =
          new OAuthTokens(
              name, spec.url(), o, secret, key, tokenStore, timeout, java.time.Clock.systemUTC());
    }
    return oauthTokens;
  }

  /** What went wrong, in words for the person reading the health check or the agent. */
  private String why(Throwable e) {
    OAuthTokens.InsufficientScope scope = insufficientScope(e);
    if (scope != null) {
      return scope.getMessage();
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof McpUnavailable refused) {
        return refused.getMessage(); // from the authorization error handler
      }
    }
    return message(e);
  }

  /** The refusal for insufficient scope in {@code e}'s causes; null when it is not one. */
  private OAuthTokens.InsufficientScope insufficientScope(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof OAuthTokens.InsufficientScope refused) {
        return refused; // from the authorization error handler
      }
      if (t instanceof McpHttpClientTransportAuthorizationException refused
          && refused.getResponseInfo().statusCode() == 403) {
        // The transport sends a request again only once: a second 403 ends it here.
        Map<String, String> challenge =
            OAuthDiscovery.challenge(
                refused.getResponseInfo().headers().firstValue("WWW-Authenticate").orElse(""));
        if ("insufficient_scope".equals(challenge.get("error"))) {
          String asked = challenge.getOrDefault("scope", "");
          return new OAuthTokens.InsufficientScope(OAuthTokens.stillInsufficient(name, asked), "");
        }
      }
    }
    return null;
  }

  private static String message(Throwable e) {
    if (e instanceof McpHttpClientTransportAuthorizationException refused) {
      return "the server refused the access token (HTTP "
          + refused.getResponseInfo().statusCode()
          + ")";
    }
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.length() > 300 ? m.substring(0, 300) + "…" : m;
  }

  private static void closeQuietly(McpSyncClient c) {
    try {
      c.closeGracefully();
    } catch (RuntimeException e) {
      log.debug("closing an MCP client failed: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    McpSyncClient c;
    synchronized (lock) {
      closed = true;
      c = client;
      client = null;
    }
    if (watcher != null) {
      watcher.interrupt();
    }
    if (c != null) {
      closeQuietly(c);
    }
  }

  /** The server cannot be reached or failed in transport; safe to show (no secrets in it). */
  static class McpUnavailable extends ai.sophia.error.UnavailableException {
    McpUnavailable(String message) {
      super(message);
    }
  }
}
