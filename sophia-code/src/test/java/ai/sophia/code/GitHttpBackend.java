package ai.sophia.code;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bare repositories under {@code root} served over smart HTTP by Debian's {@code git http-backend},
 * run as a CGI behind a loopback JDK HTTP server that checks Basic authentication first (401 with
 * {@code WWW-Authenticate} otherwise), like a git host taking a token as the password.
 */
public final class GitHttpBackend implements AutoCloseable {
  public static final Path CGI = Path.of("/usr/lib/git-core/git-http-backend");

  private final HttpServer server;
  private final Path root;
  private final String user;
  private final String password;
  private final AtomicInteger refused = new AtomicInteger();

  private GitHttpBackend(Path root, String user, String password) throws IOException {
    this.root = root;
    this.user = user;
    this.password = password;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/git/", this::handle);
    server.start();
  }

  public static GitHttpBackend start(Path root, String user, String password) {
    try {
      return new GitHttpBackend(root, user, password);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The URL of the bare repository {@code root/name}. */
  public String url(String name) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/git/" + name;
  }

  /** Requests turned away for missing or wrong credentials. */
  public int refused() {
    return refused.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String expected =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        refused.incrementAndGet();
        ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"git\"");
        ex.sendResponseHeaders(401, -1);
        return;
      }
      byte[] body = ex.getRequestBody().readAllBytes();
      ProcessBuilder pb = new ProcessBuilder(CGI.toString());
      Map<String, String> env = pb.environment();
      env.clear();
      env.put("PATH", "/usr/bin:/bin");
      env.put("HOME", root.toString());
      env.put("GIT_CONFIG_NOSYSTEM", "1");
      env.put("GIT_PROJECT_ROOT", root.toString());
      env.put("GIT_HTTP_EXPORT_ALL", "1");
      env.put("GATEWAY_INTERFACE", "CGI/1.1");
      env.put("SERVER_PROTOCOL", "HTTP/1.1");
      env.put("REQUEST_METHOD", ex.getRequestMethod());
      env.put("PATH_INFO", ex.getRequestURI().getPath().substring("/git".length()));
      String query = ex.getRequestURI().getRawQuery();
      env.put("QUERY_STRING", query == null ? "" : query);
      env.put("REMOTE_USER", user);
      env.put("REMOTE_ADDR", "127.0.0.1");
      env.put("CONTENT_LENGTH", Integer.toString(body.length));
      String type = ex.getRequestHeaders().getFirst("Content-Type");
      if (type != null) {
        env.put("CONTENT_TYPE", type);
      }
      String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
      if (encoding != null) {
        env.put("HTTP_CONTENT_ENCODING", encoding);
      }
      String protocol = ex.getRequestHeaders().getFirst("Git-Protocol");
      if (protocol != null) {
        env.put("GIT_PROTOCOL", protocol);
      }
      Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(body);
      }
      InputStream out = p.getInputStream();
      int status = 200;
      String line;
      while (!(line = readLine(out)).isEmpty()) {
        int colon = line.indexOf(':');
        String name = line.substring(0, colon).strip();
        String value = line.substring(colon + 1).strip();
        if (name.equalsIgnoreCase("Status")) {
          status = Integer.parseInt(value.substring(0, 3));
        } else {
          ex.getResponseHeaders().add(name, value);
        }
      }
      byte[] rest = out.readAllBytes();
      ex.sendResponseHeaders(status, rest.length == 0 ? -1 : rest.length);
      if (rest.length > 0) {
        ex.getResponseBody().write(rest);
      }
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
