package ai.sophia.tracing;

/**
 * One unit of traced work, current on its thread from start to {@link #close}: children started
 * meanwhile ({@link Traces#span}) hang under it, and the log lines written meanwhile carry its
 * {@code trace_id} and {@code span_id}. Closed on the thread that started it, in a
 * try-with-resources. When nothing is traced it is {@link #NONE}, which does nothing.
 */
public interface TraceSpan extends AutoCloseable {
  /** The span of untraced work: every method does nothing, {@link #traceId()} is empty. */
  TraceSpan NONE = new TraceSpan() {};

  /** Sets an attribute; a no-op when not traced. */
  default TraceSpan set(String key, String value) {
    return this;
  }

  default TraceSpan set(String key, long value) {
    return this;
  }

  default TraceSpan set(String key, double value) {
    return this;
  }

  default TraceSpan set(String key, boolean value) {
    return this;
  }

  /** Renames the span, once what it is became known (an HTTP request's route). */
  default TraceSpan name(String name) {
    return this;
  }

  /** Marks the span failed with {@code error} (recorded as the span's exception event). */
  default void fail(Throwable error) {}

  /** Marks the span failed with a reason, where there is no exception. */
  default void fail(String reason) {}

  /** The 32-hex trace id, or {@code ""} when not traced. */
  default String traceId() {
    return "";
  }

  /** Ends the span and makes its parent current again; a second close does nothing. */
  @Override
  default void close() {}
}
