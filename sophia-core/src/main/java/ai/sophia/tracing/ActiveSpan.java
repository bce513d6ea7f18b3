package ai.sophia.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.slf4j.MDC;

/**
 * A started span made current on this thread, with its ids in the logging MDC ({@code trace_id},
 * {@code span_id}); {@link #close} ends it and puts back what was current and in the MDC before.
 */
final class ActiveSpan implements TraceSpan {
  static final String TRACE_ID = "trace_id";
  static final String SPAN_ID = "span_id";

  private final Span span;
  private final Scope scope;
  private final String outerTrace;
  private final String outerSpan;
  private boolean closed;

  /** {@code parent} already holds the tracer that children use. */
  ActiveSpan(Span span, Context parent) {
    this.span = span;
    this.scope = parent.with(span).makeCurrent();
    this.outerTrace = MDC.get(TRACE_ID);
    this.outerSpan = MDC.get(SPAN_ID);
    SpanContext ids = span.getSpanContext();
    MDC.put(TRACE_ID, ids.getTraceId());
    MDC.put(SPAN_ID, ids.getSpanId());
  }

  @Override
  public TraceSpan set(String key, String value) {
    span.setAttribute(key, value == null ? "" : value);
    return this;
  }

  @Override
  public TraceSpan set(String key, long value) {
    span.setAttribute(key, value);
    return this;
  }

  @Override
  public TraceSpan set(String key, double value) {
    span.setAttribute(key, value);
    return this;
  }

  @Override
  public TraceSpan set(String key, boolean value) {
    span.setAttribute(key, value);
    return this;
  }

  @Override
  public TraceSpan name(String name) {
    span.updateName(name);
    return this;
  }

  @Override
  public void fail(Throwable error) {
    span.recordException(error);
    span.setStatus(StatusCode.ERROR, error.getClass().getSimpleName());
  }

  @Override
  public void fail(String reason) {
    span.setStatus(StatusCode.ERROR, reason);
  }

  @Override
  public String traceId() {
    return span.getSpanContext().getTraceId();
  }

  /** Idempotent: a span may be closed early (before a wait that is not its work) and again. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    span.end();
    scope.close();
    restore(TRACE_ID, outerTrace);
    restore(SPAN_ID, outerSpan);
  }

  private static void restore(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
