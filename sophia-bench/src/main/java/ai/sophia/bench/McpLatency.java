package ai.sophia.bench;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.security.Role;
import ai.sophia.server.Sophia;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Latency of MCP over Streamable HTTP against the REST API on one real Sophia server (loopback,
 * offline mode): {@code tools/list}, and the cheap tool {@code agents_list} against {@code GET
 * /api/v1/agents} (the same data). Each of N concurrent workers holds its own MCP session (the
 * official Java SDK client) or its own HTTP client, and makes the calls one after another. Prints
 * p50/p95/p99 in milliseconds and requests per second per variant.
 *
 * <p>Usage: {@code McpLatency [--concurrency 1,8,32] [--calls 300] [--warmup 50]}
 */
public final class McpLatency {
  private McpLatency() {}

  public static void main(String[] args) throws Exception {
    Flags flags = Flags.parse(args, Set.of("concurrency", "calls", "warmup"));
    List<Integer> levels =
        java.util.Arrays.stream(flags.text("concurrency", "1,8,32").split(","))
            .map(String::strip)
            .map(Integer::parseInt)
            .toList();
    int calls = flags.integer("calls", 300, 1, 1_000_000);
    int warmup = flags.integer("warmup", 50, 0, 1_000_000);
    try (ScratchDirectory dir = ScratchDirectory.create("sophia-mcp-bench")) {
      SophiaConfig config =
          ConfigLoader.create(
                  Map.of(
                      "SOPHIA_DATA_DIR", dir.path().toString(),
                      "SOPHIA_SERVER_PORT", "0",
                      "SOPHIA_MODELS_MODE", "offline",
                      "SOPHIA_SECURITY_RATE_LIMIT_REQUESTS_PER_SECOND", "1000000",
                      "SOPHIA_SECURITY_RATE_LIMIT_BURST", "1000000"))
              .load(Optional.empty());
      try (Sophia sophia = Sophia.open(config, Map.of())) {
        int port = sophia.serve(new PrintWriter(new StringWriter()));
        String key = sophia.apiKeys().create("bench", Role.user).secret();
        String base = "http://127.0.0.1:" + port;
        System.out.printf(
            "%-34s %6s %8s %8s %8s %9s%n",
            "variant", "conc", "p50 ms", "p95 ms", "p99 ms", "req/s");
        for (int n : levels) {
          run("MCP tools/list", n, calls, warmup, () -> mcpSession(base, key), McpVariant.LIST);
          run(
              "MCP tools/call agents_list",
              n,
              calls,
              warmup,
              () -> mcpSession(base, key),
              McpVariant.CALL);
          run("REST GET /api/v1/agents", n, calls, warmup, () -> rest(base, key), null);
        }
      }
    }
  }

  private enum McpVariant {
    LIST,
    CALL
  }

  /** One worker's way of making a call; closes what it opened. */
  private interface Caller extends AutoCloseable {
    void call(McpVariant variant) throws Exception;

    @Override
    default void close() {}
  }

  private static Caller mcpSession(String base, String key) {
    McpSyncClient client =
        McpClient.sync(
                HttpClientStreamableHttpTransport.builder(base)
                    .endpoint("/mcp")
                    .httpRequestCustomizer(
                        (request, method, uri, body, context) ->
                            request.setHeader("Authorization", "Bearer " + key))
                    .build())
            .requestTimeout(Duration.ofSeconds(30))
            .build();
    client.initialize();
    return new Caller() {
      @Override
      public void call(McpVariant variant) {
        if (variant == McpVariant.LIST) {
          client.listTools();
        } else {
          McpSchema.CallToolResult r =
              client.callTool(new McpSchema.CallToolRequest("agents_list", Map.of()));
          if (Boolean.TRUE.equals(r.isError())) {
            throw new IllegalStateException("agents_list failed: " + r.content());
          }
        }
      }

      @Override
      public void close() {
        client.closeGracefully();
      }
    };
  }

  private static Caller rest(String base, String key) {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/api/v1/agents"))
            .header("Authorization", "Bearer " + key)
            .build();
    return variant -> {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET /api/v1/agents: " + r.statusCode());
      }
    };
  }

  private static void run(
      String name,
      int concurrency,
      int calls,
      int warmup,
      java.util.function.Supplier<Caller> open,
      McpVariant variant)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<double[]>> futures = new ArrayList<>();
      long start = System.nanoTime();
      for (int w = 0; w < concurrency; w++) {
        Callable<double[]> worker =
            () -> {
              try (Caller caller = open.get()) {
                for (int i = 0; i < warmup; i++) {
                  caller.call(variant);
                }
                double[] ms = new double[calls];
                for (int i = 0; i < calls; i++) {
                  long t = System.nanoTime();
                  caller.call(variant);
                  ms[i] = (System.nanoTime() - t) / 1e6;
                }
                return ms;
              }
            };
        futures.add(pool.submit(worker));
      }
      List<Double> all = new ArrayList<>();
      for (Future<double[]> f : futures) {
        for (double v : f.get()) {
          all.add(v);
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double[] values = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      System.out.printf(
          "%-34s %6d %8.2f %8.2f %8.2f %9.0f%n",
          name,
          concurrency,
          Percentile.of(values, 0.50),
          Percentile.of(values, 0.95),
          Percentile.of(values, 0.99),
          concurrency * (double) (calls + warmup) / seconds);
    } finally {
      pool.shutdownNow();
    }
  }
}
