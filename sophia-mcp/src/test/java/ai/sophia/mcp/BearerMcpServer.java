package ai.sophia.mcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code bearer-server.mjs} as a process: an MCP server of the official TypeScript SDK that
 * requires a bearer token, checked by introspection at {@code auth}, which its protected-resource
 * metadata names as its authorization server.
 */
public final class BearerMcpServer implements AutoCloseable {
  private final Process process;
  private final String url;

  private BearerMcpServer(Process process, String url) {
    this.process = process;
    this.url = url;
  }

  public static BearerMcpServer start(LoopbackAuthServer auth) {
    return start(auth, "");
  }

  /**
   * A server whose tokens need {@code requiredScope} (a 403 insufficient_scope otherwise; {@code
   * "impossible"} is never granted); empty for none.
   */
  public static BearerMcpServer start(LoopbackAuthServer auth, String requiredScope) {
    try {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Process p =
          new ProcessBuilder(
                  NodePeers.node(),
                  NodePeers.folder().resolve("bearer-server.mjs").toString(),
                  Integer.toString(port),
                  auth.url(),
                  requiredScope)
              .directory(NodePeers.folder().toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String line =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      if (line == null || !line.startsWith("listening")) {
        p.destroyForcibly();
        throw new IllegalStateException("bearer-server.mjs did not start: " + line);
      }
      return new BearerMcpServer(p, "http://127.0.0.1:" + port + "/mcp");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The MCP endpoint. */
  public String url() {
    return url;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
