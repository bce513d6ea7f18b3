package ai.sophia.bench;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.memory.SqlOperationsStore;
import ai.sophia.memory.SqliteDatabase;
import ai.sophia.model.CallContext;
import ai.sophia.model.Message;
import ai.sophia.model.ModelReply;
import ai.sophia.model.ModelRequest;
import ai.sophia.model.RoutingModelGateway;
import ai.sophia.model.ScriptedOpenAiServer;
import ai.sophia.model.SqlUsageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sophia's own time per model call: a chat through {@link RoutingModelGateway} (policy, circuit,
 * LangChain4j mapping, usage into SQLite, meters) against a loopback OpenAI-compatible server that
 * answers at once, against the baseline of the same request body POSTed by a plain JDK {@link
 * HttpClient} to the same server (the provider's time plus bare HTTP). The two alternate in blocks
 * of 50 calls, one call at a time, so that machine noise falls on both.
 */
public final class GatewayOverhead {
  private static final int BLOCK = 50;

  private GatewayOverhead() {}

  public static void main(String[] args) throws Exception {
    Flags flags = Flags.parse(args, Set.of("calls", "warmup"));
    int calls = flags.integer("calls", 5000, BLOCK, 1_000_000) / BLOCK * BLOCK;
    int warmup = flags.integer("warmup", 2000, 0, 1_000_000) / BLOCK * BLOCK;
    try (ScriptedOpenAiServer server = ScriptedOpenAiServer.start();
        ScratchDirectory dir = ScratchDirectory.create("sophia-gateway-bench")) {
      for (int i = 0; i < 2 * (warmup + calls) + 1; i++) {
        server.reply(
            "Write-ahead logging records changes before they reach the data files.", 12, 11);
      }
      SophiaConfig config =
          ConfigLoader.create(
                  Map.of(
                      "SOPHIA_DATA_DIR",
                      dir.path().toString(),
                      "SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL",
                      server.baseUrl(),
                      "SOPHIA_MODELS_DEFAULT_CHAIN",
                      "openai_compatible:test-model",
                      "SOPHIA_MODELS_MAX_ATTEMPTS",
                      "1"))
              .load(Optional.empty());
      try (SqliteDatabase db = SqliteDatabase.open(dir.path())) {
        RoutingModelGateway gateway =
            RoutingModelGateway.create(
                config.models(),
                Secrets.create(Map.of()),
                new SqlUsageStore(db),
                new SqlOperationsStore(db),
                new SimpleMeterRegistry());
        ModelRequest request =
            ModelRequest.of(
                List.of(
                    new Message.System("Answer in one sentence."),
                    new Message.User("What is write-ahead logging?")));
        CallContext context = new CallContext("key-1", "bench", "req-1");
        // The first call shows the exact body the gateway sends; the baseline sends the same.
        gateway.chat(gateway.defaultPolicy(), request, context);
        String body = server.requests().getLast().body();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest post =
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        Runnable viaGateway =
            () -> {
              ModelReply reply = gateway.chat(gateway.defaultPolicy(), request, context);
              if (reply.text().isEmpty()) {
                throw new BenchException("empty reply");
              }
            };
        Runnable viaHttp =
            () -> {
              try {
                HttpResponse<String> r = http.send(post, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                  throw new BenchException("HTTP " + r.statusCode());
                }
              } catch (java.io.IOException e) {
                throw new BenchException("baseline call failed: " + e, e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchException("interrupted", e);
              }
            };
        alternate(warmup, viaGateway, viaHttp);
        double[][] us = alternate(calls, viaGateway, viaHttp);
        report(calls, us[0], us[1], body.length());
      }
    }
  }

  /** {@code n} calls of each, alternating blocks; microseconds per call, [gateway, baseline]. */
  private static double[][] alternate(int n, Runnable gateway, Runnable baseline) {
    double[] g = new double[n];
    double[] b = new double[n];
    for (int done = 0; done < n; done += BLOCK) {
      time(gateway, g, done);
      time(baseline, b, done);
    }
    return new double[][] {g, b};
  }

  private static void time(Runnable call, double[] into, int from) {
    for (int i = from; i < from + BLOCK; i++) {
      long t = System.nanoTime();
      call.run();
      into[i] = (System.nanoTime() - t) / 1e3;
    }
  }

  private static void report(int n, double[] gateway, double[] baseline, int bodyChars) {
    System.out.printf(
        Locale.ROOT,
        "%,d calls each, one at a time, request body %d chars; JVM %s, %d cores%n",
        n,
        bodyChars,
        Runtime.version(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "%-28s %10s %10s %10s%n", "µs per call", "p50", "p90", "p99");
    row("gateway (Sophia)", gateway);
    row("plain JDK HttpClient POST", baseline);
    double[] p = {0.5, 0.9, 0.99};
    StringBuilder over = new StringBuilder();
    StringBuilder ratio = new StringBuilder();
    for (double q : p) {
      double gq = Percentile.of(gateway, q);
      double bq = Percentile.of(baseline, q);
      over.append(String.format(Locale.ROOT, " %10.0f", gq - bq));
      ratio.append(String.format(Locale.ROOT, " %10.2f", gq / bq));
    }
    System.out.printf(Locale.ROOT, "%-28s%s%n", "overhead (gateway − plain)", over);
    System.out.printf(Locale.ROOT, "%-28s%s%n", "ratio (gateway / plain)", ratio);
  }

  private static void row(String name, double[] values) {
    System.out.printf(
        Locale.ROOT,
        "%-28s %10.0f %10.0f %10.0f%n",
        name,
        Percentile.of(values, 0.5),
        Percentile.of(values, 0.9),
        Percentile.of(values, 0.99));
  }
}
