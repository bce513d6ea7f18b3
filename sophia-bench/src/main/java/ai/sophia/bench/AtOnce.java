package ai.sophia.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/** Load as many callers arriving at once: each index on its own virtual thread, all joined. */
final class AtOnce {
  private AtOnce() {}

  /** Runs {@code work} for 0 … n−1, each on its own virtual thread; seconds until the last ends. */
  static double run(int n, IntConsumer work) throws InterruptedException {
    List<Thread> callers = new ArrayList<>(n);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      int index = i;
      callers.add(Thread.ofVirtual().start(() -> work.accept(index)));
    }
    for (Thread t : callers) {
      t.join();
    }
    return (System.nanoTime() - t0) / 1e9;
  }
}
