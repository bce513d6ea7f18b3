package ai.sophia.ingest;

import java.util.HashMap;
import java.util.Map;

/**
 * Spaces requests to one host at least {@code delayMillis} apart. Not thread-safe: one per crawl.
 */
final class Politeness {
  private final Map<String, Long> lastRequest = new HashMap<>();
  private long delayMillis;

  Politeness(long delayMillis) {
    this.delayMillis = delayMillis;
  }

  /** Raises the delay, as a robots.txt Crawl-delay may. */
  void atLeast(long millis) {
    delayMillis = Math.max(delayMillis, millis);
  }

  long delayMillis() {
    return delayMillis;
  }

  /** Blocks until {@code host} may be asked again, then records the request. */
  void await(String host) throws InterruptedException {
    Long last = lastRequest.get(host);
    if (last != null) {
      long waitNanos = last + delayMillis * 1_000_000 - System.nanoTime();
      if (waitNanos > 0) {
        Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
      }
    }
    lastRequest.put(host, System.nanoTime());
  }
}
