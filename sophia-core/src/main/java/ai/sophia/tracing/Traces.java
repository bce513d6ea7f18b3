package ai.sophia.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * What the modules use to trace their work, without knowing whether anything is traced: the tracer
 * travels in the current OpenTelemetry {@link Context}, put there by the span that began the work
 * ({@link Tracing#serve}, {@link Tracing#root}). Work that began untraced finds none, and every
 * call here is then a thread-local read and nothing more: no span, no allocation.
 *
 * <p>Work that hops threads carries the context with {@link #wrap(Runnable)}; work that leaves the
 * process carries it as a W3C {@code traceparent} header ({@link #inject}).
 */
public final class Traces {
  static final ContextKey<Tracer> TRACER = ContextKey.named("sophia.tracer");

  private static final TextMapSetter<BiConsumer<String, String>> SETTER =
      (carrier, key, value) -> carrier.accept(key, value);

  private Traces() {}

  /**
   * Starts an internal span under the current one, made current; {@link TraceSpan#NONE} if none.
   */
  public static TraceSpan span(String name) {
    return start(name, SpanKind.INTERNAL);
  }

  /** Starts a client span (a call out: a model, an MCP server) under the current one. */
  public static TraceSpan client(String name) {
    return start(name, SpanKind.CLIENT);
  }

  /**
   * Starts an internal span named {@code operation subject} ({@code invoke_agent research}): the
   * name is only put together when the work is traced, so that untraced work allocates nothing.
   */
  public static TraceSpan span(String operation, String subject) {
    return start(operation, subject, SpanKind.INTERNAL);
  }

  /** Starts a client span named {@code operation subject} ({@code chat gpt-4o}). */
  public static TraceSpan client(String operation, String subject) {
    return start(operation, subject, SpanKind.CLIENT);
  }

  private static TraceSpan start(String name, SpanKind kind) {
    return start(name, null, kind);
  }

  private static TraceSpan start(String operation, String subject, SpanKind kind) {
    Context context = Context.current();
    Tracer tracer = context.get(TRACER);
    if (tracer == null) {
      return TraceSpan.NONE;
    }
    String name = subject == null ? operation : operation + " " + subject;
    Span span = tracer.spanBuilder(name).setParent(context).setSpanKind(kind).startSpan();
    return new ActiveSpan(span, context);
  }

  /** The current trace's id (32 hex digits), or {@code ""} when nothing is traced. */
  public static String traceId() {
    SpanContext span = Span.current().getSpanContext();
    return span.isValid() ? span.getTraceId() : "";
  }

  /** {@code task} running in the current context wherever it runs (another virtual thread). */
  public static Runnable wrap(Runnable task) {
    Context context = Context.current();
    return context.get(TRACER) == null ? task : context.wrap(task);
  }

  /** {@code task} calling in the current context wherever it runs. */
  public static <T> Callable<T> wrapCallable(Callable<T> task) {
    Context context = Context.current();
    return context.get(TRACER) == null ? task : context.wrap(task);
  }

  /** {@code task} supplying in the current context wherever it runs. */
  public static <T> Supplier<T> wrapSupplier(Supplier<T> task) {
    Context context = Context.current();
    return context.get(TRACER) == null ? task : context.wrapSupplier(task);
  }

  /**
   * Gives {@code header} the W3C trace context ({@code traceparent}, and {@code tracestate} when
   * there is one) for a request that continues the current trace elsewhere; nothing when untraced.
   */
  public static void inject(BiConsumer<String, String> header) {
    Context context = Context.current();
    if (context.get(TRACER) != null) {
      W3CTraceContextPropagator.getInstance().inject(context, header, SETTER);
    }
  }

  /** The headers {@link #inject} gives, as a map (empty when untraced). */
  public static Map<String, String> headers() {
    if (Context.current().get(TRACER) == null) {
      return Map.of();
    }
    Map<String, String> headers = new HashMap<>();
    inject(headers::put);
    return headers;
  }
}
