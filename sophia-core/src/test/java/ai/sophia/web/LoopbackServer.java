package ai.sophia.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real HTTP server on 127.0.0.1 for tests: routes by exact path, records every request, and
 * answers 404 for anything unrouted. Search-provider fakes, {@code LocalWeb} and the scripted model
 * providers are built on it; every module's tests can use it from the core test-jar.
 */
public final class LoopbackServer implements AutoCloseable {
  /** Answers one request. */
  @FunctionalInterface
  public interface Responder {
    Reply reply(Recorded request) throws Exception;
  }

  /** A request as the server saw it; header names are lower-case. */
  public record Recorded(
      String method, String path, String query, Map<String, List<String>> headers, String body) {
    public Optional<String> header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
  }

  /**
   * An answer: status, headers, body bytes; {@code streamed} sends the body chunked, without a
   * Content-Length.
   */
  public record Reply(int status, Map<String, String> headers, byte[] body, boolean streamed) {
    public Reply(int status, Map<String, String> headers, byte[] body) {
      this(status, headers, body, false);
    }

    public static Reply of(int status, String contentType, String body) {
      return of(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public static Reply of(int status, String contentType, byte[] body) {
      return new Reply(status, Map.of("Content-Type", contentType), body);
    }

    /** The same reply sent chunked. */
    public Reply chunked() {
      return new Reply(status, headers, body, true);
    }

    public static Reply html(String body) {
      return of(200, "text/html; charset=utf-8", body);
    }

    public static Reply json(String body) {
      return of(200, "application/json", body);
    }

    public static Reply status(int status) {
      return of(status, "text/plain; charset=utf-8", "status " + status);
    }

    public static Reply redirect(int status, String location) {
      return new Reply(status, Map.of("Location", location), new byte[0]);
    }
  }

  /**
   * The accept queue (capped by the kernel's {@code net.core.somaxconn}). The JDK's default is 50:
   * a burst of thousands of new connections, as {@code bench/agent_load.sh} makes, then overflows
   * it and waits on SYN retransmission (1 s, 3 s, 7 s…) before the server sees a request.
   */
  private static final int BACKLOG = 16_384;

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, Responder> routes = new ConcurrentHashMap<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private LoopbackServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a server on a free loopback port. */
  public static LoopbackServer start() {
    try {
      return new LoopbackServer();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a loopback server", e);
    }
  }

  /** Serves {@code path} (without query) with {@code responder}. */
  public LoopbackServer route(String path, Responder responder) {
    routes.put(path, responder);
    return this;
  }

  /** Serves a fixed reply at {@code path}. */
  public LoopbackServer route(String path, Reply reply) {
    return route(path, request -> reply);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** Every request received so far, in order. */
  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  /** Requests received for {@code path}. */
  public List<Recorded> requests(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Map<String, List<String>> headers = new LinkedHashMap<>();
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
      String query = exchange.getRequestURI().getRawQuery();
      Recorded request =
          new Recorded(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getPath(),
              query == null ? "" : query,
              headers,
              body);
      requests.add(request);
      Responder responder = routes.get(request.path());
      Reply reply;
      try {
        reply = responder == null ? Reply.status(404) : responder.reply(request);
      } catch (Exception e) {
        reply = Reply.of(500, "text/plain", "test responder failed: " + e);
      }
      reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
      boolean empty = reply.body().length == 0;
      long length = reply.streamed() ? 0 : empty ? -1 : reply.body().length;
      exchange.sendResponseHeaders(reply.status(), length);
      if (!empty) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(reply.body());
        } catch (IOException e) {
          // The client may hang up on purpose (size cap, timeout); nothing to do on our side.
        }
      }
    }
  }

  /** Stops the server; a second call does nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
