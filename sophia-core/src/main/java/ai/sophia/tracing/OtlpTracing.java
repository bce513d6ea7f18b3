package ai.sophia.tracing;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.ConfigException;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Tracing on: the OpenTelemetry SDK's tracer, its spans batched by one background thread and sent
 * over OTLP/HTTP (protobuf). Sampling is parent-based: a trace continued from a caller keeps the
 * caller's decision, a new one is kept with probability {@code sample_ratio}.
 */
final class OtlpTracing implements Tracing {
  static final String INSTRUMENTATION = "ai.sophia";

  private static final TextMapGetter<Function<String, String>> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, String> carrier) {
          return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(Function<String, String> carrier, String key) {
          return carrier == null ? null : carrier.apply(key);
        }
      };

  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private final Context root;

  OtlpTracing(SdkTracerProvider provider) {
    this.provider = provider;
    this.tracer = provider.get(INSTRUMENTATION);
    this.root = Context.root().with(Traces.TRACER, tracer);
  }

  static OtlpTracing start(SophiaConfig.Tracing settings, Secrets secrets) {
    SophiaConfig.Otlp otlp = settings.otlp();
    OtlpHttpSpanExporterBuilder exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(otlp.endpoint())
            .setTimeout(Duration.ofMillis(otlp.timeoutMs()));
    headers(otlp.headersEnv(), secrets).forEach(exporter::addHeader);
    return withExporter(settings, exporter.build(), Duration.ofSeconds(1));
  }

  /** Tracing that hands its spans to {@code exporter} in batches, every {@code delay} at least. */
  static OtlpTracing withExporter(
      SophiaConfig.Tracing settings, SpanExporter exporter, Duration delay) {
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.of(AttributeKey.stringKey("service.name"), settings.serviceName())));
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(resource)
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.sampleRatio())))
            .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(delay).build())
            .build();
    return new OtlpTracing(provider);
  }

  /**
   * The exporter's headers from the variable {@code name} (or its {@code _FILE}), {@code key=value}
   * pairs separated by commas with URL-encoded values, as OTEL_EXPORTER_OTLP_HEADERS has them. A
   * malformed value is named by its variable only: it holds credentials.
   */
  static Map<String, String> headers(String name, Secrets secrets) {
    Map<String, String> headers = new LinkedHashMap<>();
    String value = secrets.get(name).orElse("");
    for (String pair : value.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0 || pair.substring(0, eq).isBlank()) {
        throw new ConfigException(
            List.of(
                "the variable "
                    + name
                    + " (tracing.otlp.headers_env) must be key=value pairs separated by commas"));
      }
      headers.put(
          pair.substring(0, eq).strip(),
          URLDecoder.decode(pair.substring(eq + 1).strip(), StandardCharsets.UTF_8));
    }
    return headers;
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public TraceSpan serve(String name, Function<String, String> header) {
    Context parent =
        W3CTraceContextPropagator.getInstance()
            .extract(root, header, GETTER)
            .with(Traces.TRACER, tracer);
    Span span = tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER).startSpan();
    return new ActiveSpan(span, parent);
  }

  @Override
  public TraceSpan root(String name) {
    Span span = tracer.spanBuilder(name).setParent(root).startSpan();
    return new ActiveSpan(span, root);
  }

  @Override
  public void close() {
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }
}
