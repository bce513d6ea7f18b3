package ai.sophia.server.http;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counts requests in one-second slots over a sliding minute, for the request rate that
 * /api/v1/system/stats reports, plus a total since start.
 *
 * <p>Concurrency: each slot packs its second (upper bits) and its count (lower 20 bits, up to a
 * million requests a second) into one long, updated by compare-and-set, so a slot reused for a new
 * second is reset atomically with its first increment.
 */
public final class RequestRate {
  static final int WINDOW_SECONDS = 60;
  private static final int COUNT_BITS = 20;
  private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;

  private final AtomicLongArray slots = new AtomicLongArray(WINDOW_SECONDS);
  private final LongAdder total = new LongAdder();
  private final LongSupplier nanoClock;
  private final long startedNanos;

  RequestRate(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.startedNanos = nanoClock.getAsLong();
  }

  public static RequestRate create() {
    return new RequestRate(System::nanoTime);
  }

  /** Counts one finished request. */
  public void record() {
    total.increment();
    long second = second();
    int index = (int) (second % WINDOW_SECONDS);
    while (true) {
      long packed = slots.get(index);
      long next =
          (packed >>> COUNT_BITS) == second
              ? (packed & COUNT_MASK) < COUNT_MASK ? packed + 1 : packed
              : (second << COUNT_BITS) | 1;
      if (slots.compareAndSet(index, packed, next)) {
        return;
      }
    }
  }

  /**
   * Requests per second over the last minute, or over the time since start when that is shorter (so
   * a young server does not report a rate diluted by seconds it was not running).
   */
  public double perSecond() {
    long now = second();
    long count = 0;
    for (int i = 0; i < WINDOW_SECONDS; i++) {
      long packed = slots.get(i);
      long age = now - (packed >>> COUNT_BITS);
      if (age >= 0 && age < WINDOW_SECONDS) {
        count += packed & COUNT_MASK;
      }
    }
    double elapsed = (nanoClock.getAsLong() - startedNanos) / 1e9;
    double window = Math.min(WINDOW_SECONDS, Math.max(1.0, elapsed));
    return count / window;
  }

  public long total() {
    return total.sum();
  }

  /** Whole seconds since start. */
  private long second() {
    return (nanoClock.getAsLong() - startedNanos) / 1_000_000_000L;
  }
}
