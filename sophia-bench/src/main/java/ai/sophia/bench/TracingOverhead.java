package ai.sophia.bench;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.ingest.IngestProgress;
import ai.sophia.model.ScriptedOpenAiServer;
import ai.sophia.model.ToolCall;
import ai.sophia.security.Role;
import ai.sophia.server.Sophia;
import ai.sophia.tracing.TraceSpan;
import ai.sophia.tracing.Traces;
import ai.sophia.tracing.Tracing;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What tracing costs: two real Sophia servers in one process, one with tracing off (the default),
 * one with tracing on exporting every span over OTLP/HTTP to a loopback sink that reads and
 * acknowledges each batch (a collector that answers at once). Both answer the same requests, in
 * alternating blocks so that machine noise falls on both: a research request over HTTP ({@code POST
 * /api/v1/chat}, {@code local} engine over a small ingested folder, extractive: no model) and an
 * agent run ({@code wait: true}) of two steps against a loopback OpenAI-compatible model that
 * answers at once: a model call asking for {@code memory_search}, the tool call, a model call
 * answering. Prints p50/p90 per variant and the difference, and first one span's own cost in
 * process, off and on.
 *
 * <p>Usage: {@code TracingOverhead [--requests 300] [--warmup 50]}
 */
public final class TracingOverhead {
  private static final int BLOCK = 10;

  private TracingOverhead() {}

  /** One node under test. */
  private record Node(String name, Sophia sophia, String base, String key) {}

  public static void main(String[] args) throws Exception {
    Flags flags = Flags.parse(args, Set.of("requests", "warmup"));
    int requests = flags.integer("requests", 300, BLOCK, 100_000) / BLOCK * BLOCK;
    int warmup = flags.integer("warmup", 50, 0, 100_000) / BLOCK * BLOCK;
    AtomicLong batches = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sink.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    sink.createContext(
        "/v1/traces",
        exchange -> {
          try (exchange;
              InputStream in = exchange.getRequestBody()) {
            bytes.addAndGet(in.readAllBytes().length);
            batches.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
          }
        });
    sink.start();
    try (ScriptedOpenAiServer model = ScriptedOpenAiServer.start();
        ScratchDirectory dir = ScratchDirectory.create("sophia-tracing-bench")) {
      Path docs = documents(dir.path().resolve("docs"));
      String endpoint = "http://127.0.0.1:" + sink.getAddress().getPort() + "/v1/traces";
      Node off = open("off", dir.path().resolve("off"), model, docs, Map.of());
      Node on =
          open(
              "on",
              dir.path().resolve("on"),
              model,
              docs,
              Map.of("SOPHIA_TRACING_ENABLED", "true", "SOPHIA_TRACING_OTLP_ENDPOINT", endpoint));
      try (Sophia a = off.sophia();
          Sophia b = on.sophia()) {
        HttpClient http = HttpClient.newHttpClient();
        System.out.printf(Locale.ROOT, "%-26s %8s %8s %8s%n", "variant", "n", "p50 ms", "p90 ms");
        spans(endpoint);
        measure("research", http, off, on, requests, warmup, model);
        measure("agent run (2 steps)", http, off, on, requests, warmup, model);
      }
      System.out.printf(
          Locale.ROOT,
          "exported: %d OTLP requests, %.1f KiB%n",
          batches.get(),
          bytes.get() / 1024.0);
    } finally {
      sink.stop(0);
    }
    // The MCP transport's session sweeper is not a daemon thread.
    System.exit(0);
  }

  private static void measure(
      String what,
      HttpClient http,
      Node off,
      Node on,
      int requests,
      int warmup,
      ScriptedOpenAiServer model)
      throws Exception {
    boolean agent = what.startsWith("agent");
    for (int i = 0; i < warmup; i++) {
      call(http, i % 2 == 0 ? off : on, agent, model, i);
    }
    double[] offMs = new double[requests];
    double[] onMs = new double[requests];
    for (int block = 0; block < requests / BLOCK; block++) {
      // Alternate which goes first, so that neither always follows the other's garbage.
      Node first = block % 2 == 0 ? off : on;
      Node second = first == off ? on : off;
      for (Node node : new Node[] {first, second}) {
        double[] into = node == off ? offMs : onMs;
        for (int i = 0; i < BLOCK; i++) {
          int n = block * BLOCK + i;
          long t = System.nanoTime();
          call(http, node, agent, model, n);
          into[n] = (System.nanoTime() - t) / 1e6;
        }
      }
    }
    print(what + ", tracing off", offMs);
    print(what + ", tracing on", onMs);
    System.out.printf(
        Locale.ROOT,
        "%-26s %8s %+8.2f %+8.2f%n",
        what + ", on - off",
        "",
        Percentile.of(onMs, 0.5) - Percentile.of(offMs, 0.5),
        Percentile.of(onMs, 0.9) - Percentile.of(offMs, 0.9));
  }

  /**
   * One span's own cost, in process: started, given three attributes and ended, with nothing traced
   * (what every instrumented place costs when tracing is off) and inside a traced request (exported
   * through the batch processor to the sink). Nanoseconds and bytes allocated per span.
   */
  private static void spans(String endpoint) {
    var threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().threadId();
    int n = 2_000_000;
    for (int round = 0; round < 2; round++) {
      long bytes = threads.getThreadAllocatedBytes(id);
      long t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        oneSpan(i);
      }
      double ns = (System.nanoTime() - t) / (double) n;
      bytes = threads.getThreadAllocatedBytes(id) - bytes;
      if (round == 1) {
        System.out.printf(
            Locale.ROOT,
            "span, tracing off: %.1f ns, %.1f bytes per span%n",
            ns,
            bytes / (double) n);
      }
    }
    SophiaConfig.Tracing settings =
        new SophiaConfig.Tracing(
            true, "sophia-bench", 1.0, new SophiaConfig.Otlp(endpoint, "", 10_000));
    try (Tracing tracing = Tracing.create(settings, Secrets.create(Map.of()))) {
      int traced = 200_000;
      for (int round = 0; round < 2; round++) {
        long bytes = threads.getThreadAllocatedBytes(id);
        long t = System.nanoTime();
        try (TraceSpan request = tracing.root("bench")) {
          for (int i = 0; i < traced; i++) {
            oneSpan(i);
          }
        }
        double ns = (System.nanoTime() - t) / (double) traced;
        bytes = threads.getThreadAllocatedBytes(id) - bytes;
        if (round == 1) {
          System.out.printf(
              Locale.ROOT,
              "span, tracing on: %.1f ns, %.0f bytes per span (exported in batches; a full queue drops)%n",
              ns,
              bytes / (double) traced);
        }
      }
    }
  }

  private static void oneSpan(int i) {
    try (TraceSpan span = Traces.span("execute_tool", "memory_search")) {
      span.set("gen_ai.tool.name", "memory_search").set("n", i).set("sophia.cost_usd", 0.25);
    }
  }

  private static void print(String name, double[] ms) {
    System.out.printf(
        Locale.ROOT,
        "%-26s %8d %8.2f %8.2f%n",
        name,
        ms.length,
        Percentile.of(ms, 0.5),
        Percentile.of(ms, 0.9));
  }

  private static final String[] QUESTIONS = {
    "how do readers work in WAL mode",
    "what does a checkpoint copy back",
    "why does vacuum reclaim space",
    "how are indexes kept up to date",
  };

  private static void call(
      HttpClient http, Node node, boolean agent, ScriptedOpenAiServer model, int n)
      throws Exception {
    String path;
    String body;
    if (agent) {
      model
          .toolCalls(new ToolCall("call_1", "memory_search", "{\"query\":\"write-ahead log\"}"))
          .reply("Readers keep reading while one writer appends [1].");
      path = "/api/v1/agents/bencher/run";
      body = "{\"input\":\"What do we know about WAL?\",\"wait\":true}";
    } else {
      path = "/api/v1/chat";
      body =
          "{\"query\":\""
              + QUESTIONS[n % QUESTIONS.length]
              + "\",\"search_engine\":\"local\",\"sources_limit\":3}";
    }
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(node.base() + path))
                .header("Authorization", "Bearer " + node.key())
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200 || (agent && !r.body().contains("\"succeeded\""))) {
      throw new IllegalStateException(
          node.name() + " " + path + ": " + r.statusCode() + " " + r.body());
    }
  }

  /**
   * A node whose agent {@code bencher} uses the loopback model, while research has no model (an
   * empty default chain: extractive answers), so that research measures Sophia alone.
   */
  private static Node open(
      String name, Path data, ScriptedOpenAiServer model, Path docs, Map<String, String> extra)
      throws Exception {
    Files.createDirectories(data);
    Map<String, String> env = new HashMap<>(extra);
    env.put("SOPHIA_DATA_DIR", data.toString());
    env.put("SOPHIA_SERVER_PORT", "0");
    env.put("SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL", model.baseUrl());
    env.put("SOPHIA_MODELS_MAX_ATTEMPTS", "1");
    env.put("SOPHIA_SECURITY_RATE_LIMIT_REQUESTS_PER_SECOND", "1000000");
    env.put("SOPHIA_SECURITY_RATE_LIMIT_BURST", "1000000");
    Path yaml =
        Files.writeString(
            data.resolve("sophia.yaml"),
            """
            models:
              default_chain: [anthropic:unconfigured]
            agents:
              definitions:
                bencher:
                  type: analysis
                  models: [openai_compatible:test-model]
            """);
    Sophia sophia = Sophia.open(ConfigLoader.create(env).load(Optional.of(yaml)), env);
    var ingested = sophia.ingestor().ingest(docs.toString(), false, IngestProgress.none());
    System.out.printf(
        Locale.ROOT,
        "node %s: %d pages, %d passages ingested%n",
        name,
        ingested.stored(),
        ingested.passages());
    int port = sophia.serve(new PrintWriter(new StringWriter()));
    String key = sophia.apiKeys().create("bench", Role.user).secret();
    return new Node(name, sophia, "http://127.0.0.1:" + port, key);
  }

  /** A small folder of pages on database internals for the {@code local} engine. */
  private static Path documents(Path folder) throws Exception {
    Files.createDirectories(folder);
    String[][] pages = {
      {
        "wal",
        "SQLite in WAL mode appends changes to a separate write-ahead log file. Readers keep"
            + " reading the database while one writer appends new pages to the log."
      },
      {
        "checkpoint",
        "A checkpoint copies the logged pages back into the main database file and"
            + " lets the write-ahead log be reused from its start."
      },
      {
        "vacuum",
        "Vacuum reclaims the space of deleted rows so that later inserts reuse it, and"
            + " updates the statistics the planner reads."
      },
      {
        "indexes",
        "Every insert, update and delete also changes each index of the table, which"
            + " keeps lookups fast at the price of slower writes."
      },
    };
    for (int copy = 0; copy < 10; copy++) {
      for (String[] page : pages) {
        StringBuilder text = new StringBuilder("# " + page[0] + " " + copy + "\n\n");
        for (int para = 0; para < 4; para++) {
          text.append(page[1])
              .append(" This is note ")
              .append(copy)
              .append(" of ten on ")
              .append(page[0])
              .append(", paragraph ")
              .append(para)
              .append(", which an operator reads before tuning the database for a busy service.")
              .append("\n\n");
        }
        Files.writeString(folder.resolve(page[0] + "-" + copy + ".md"), text.toString());
      }
    }
    return folder;
  }
}
