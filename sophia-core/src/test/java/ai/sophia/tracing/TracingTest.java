package ai.sophia.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.ConfigException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

/** The tracing package alone: off costs nothing, on links spans across threads and processes. */
class TracingTest {
  @TempDir Path dir;

  /** Keeps what it is given, as a collector would. */
  static final class Kept implements SpanExporter {
    final List<SpanData> spans = new ArrayList<>();

    @Override
    public synchronized CompletableResultCode export(Collection<SpanData> batch) {
      spans.addAll(batch);
      return CompletableResultCode.ofSuccess();
    }

    synchronized List<SpanData> spans() {
      return List.copyOf(spans);
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  @Test
  void span_nothingTraced_isNoneAndLeavesNoTrace() {
    Runnable task = () -> {};

    TraceSpan span = Traces.span("research");

    assertThat(span).isSameAs(TraceSpan.NONE);
    assertThat(span.set("k", "v").traceId()).isEmpty();
    assertThat(Traces.traceId()).isEmpty();
    assertThat(Traces.headers()).isEmpty();
    assertThat(Traces.wrap(task)).isSameAs(task);
    assertThat(MDC.get("trace_id")).isNull();
    assertThat(
            Tracing.off().serve("GET", h -> "00-" + "1".repeat(32) + "-" + "2".repeat(16) + "-01"))
        .isSameAs(TraceSpan.NONE);
  }

  @Test
  void span_nothingTraced_allocatesNothing() {
    var threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    String agent = "research";
    long id = Thread.currentThread().threadId();
    for (int i = 0; i < 20_000; i++) {
      untracedWork(agent, i);
    }
    long before = threads.getThreadAllocatedBytes(id);
    for (int i = 0; i < 100_000; i++) {
      untracedWork(agent, i);
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before;

    // A byte per call would be 100 KB; the measuring itself takes a few hundred bytes.
    assertThat(allocated).isLessThan(4_096);
  }

  private static void untracedWork(String agent, int i) {
    try (TraceSpan span = Traces.span("invoke_agent", agent)) {
      span.set("gen_ai.agent.name", agent).set("sophia.run.depth", i).set("sophia.cost_usd", 0.5);
      if (!Traces.traceId().isEmpty() || !Traces.headers().isEmpty()) {
        throw new AssertionError("traced");
      }
    }
  }

  @Test
  void serve_traceparentGiven_childrenAcrossThreadsAndOutgoingHeaderContinueIt() throws Exception {
    Kept kept = new Kept();
    SophiaConfig.Tracing settings = SophiaConfig.Tracing.off();
    OtlpTracing tracing = OtlpTracing.withExporter(settings, kept, Duration.ofMillis(10));
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String caller = "00f067aa0ba902b7";
    Map<String, String> incoming = Map.of("traceparent", "00-" + trace + "-" + caller + "-01");
    String outgoing;
    String inMdc;
    try (TraceSpan server = tracing.serve("GET /x", incoming::get)) {
      inMdc = MDC.get("trace_id");
      try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
        executor
            .submit(
                Traces.wrap(
                    () -> {
                      try (TraceSpan child = Traces.span("child")) {
                        child.set("n", 1L);
                      }
                    }))
            .get();
      }
      outgoing =
          CompletableFuture.supplyAsync(Traces.wrapSupplier(Traces::headers))
              .get()
              .get("traceparent");
    }
    tracing.close();

    assertThat(inMdc).isEqualTo(trace);
    assertThat(MDC.get("trace_id")).isNull();
    List<SpanData> spans = kept.spans();
    SpanData server =
        spans.stream().filter(s -> s.getName().equals("GET /x")).findFirst().orElseThrow();
    SpanData child =
        spans.stream().filter(s -> s.getName().equals("child")).findFirst().orElseThrow();
    assertThat(server.getTraceId()).isEqualTo(trace);
    assertThat(server.getParentSpanId()).isEqualTo(caller);
    assertThat(child.getParentSpanId()).isEqualTo(server.getSpanId());
    assertThat(outgoing).isEqualTo("00-" + trace + "-" + server.getSpanId() + "-01");
  }

  @Test
  void create_headersVariableMalformed_namesTheVariableNotItsValue() {
    SophiaConfig.Tracing on =
        new SophiaConfig.Tracing(
            true,
            "sophia",
            1.0,
            new SophiaConfig.Otlp("http://127.0.0.1:1/v1/traces", "HDRS", 1000));

    assertThatThrownBy(() -> Tracing.create(on, Secrets.create(Map.of("HDRS", "no-equals-s3cret"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("HDRS")
        .hasMessageNotContaining("s3cret");
    assertThat(OtlpTracing.headers("HDRS", Secrets.create(Map.of("HDRS", "a=b%20c, x=y"))))
        .containsExactly(Map.entry("a", "b c"), Map.entry("x", "y"));
  }

  @Test
  void load_tracingOnWithoutEndpointOrWithBadRatio_reportsEachByKey() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("sophia.yaml"), "tracing:\n  enabled: true\n  sample_ratio: 2\n");

    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tracing.otlp.endpoint must be set")
        .hasMessageContaining("tracing.sample_ratio is 2.0");
    SophiaConfig defaults =
        ConfigLoader.create(Map.of()).load(Optional.of(Files.writeString(file, "")));
    assertThat(defaults.tracing()).isEqualTo(SophiaConfig.Tracing.off());
  }
}
