package ai.sophia.tracing;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import java.util.Objects;
import java.util.function.Function;

/**
 * Whether and where Sophia's work is traced, chosen once in the composition root: {@link #off()}
 * (the default) or spans exported over OTLP. It starts the span that begins a piece of work — an
 * HTTP request, a background job — and the modules add theirs under it through {@link Traces},
 * never through this type or the OpenTelemetry SDK.
 */
public interface Tracing extends AutoCloseable {
  /** Nothing traced: every span is {@link TraceSpan#NONE}, no exporter, no thread. */
  static Tracing off() {
    return Off.INSTANCE;
  }

  /**
   * Tracing as {@code settings} say: off, or spans sent over OTLP/HTTP with the headers read from
   * the variable {@code otlp.headers_env} names.
   *
   * @throws ai.sophia.error.ConfigException when that variable is not {@code key=value,…}
   */
  static Tracing create(SophiaConfig.Tracing settings, Secrets secrets) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(secrets, "secrets");
    return settings.enabled() ? OtlpTracing.start(settings, secrets) : off();
  }

  /** True when spans are recorded and exported. */
  boolean enabled();

  /**
   * Starts the server span of an incoming request, current on this thread: it continues the
   * caller's trace when {@code header} gives a valid W3C {@code traceparent}, else begins one.
   */
  TraceSpan serve(String name, Function<String, String> header);

  /** Starts the span of work no request began (a resumed run), in a trace of its own. */
  TraceSpan root(String name);

  /** Sends the spans still buffered and stops the exporter. */
  @Override
  void close();

  /** The tracing that is off. */
  enum Off implements Tracing {
    INSTANCE;

    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public TraceSpan serve(String name, Function<String, String> header) {
      return TraceSpan.NONE;
    }

    @Override
    public TraceSpan root(String name) {
      return TraceSpan.NONE;
    }

    @Override
    public void close() {}
  }
}
