package ai.sophia.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestRateTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(5 * SECOND);

  @Test
  void perSecond_youngServer_dividesByItsAgeNotTheWholeWindow() {
    RequestRate rate = new RequestRate(now::get);
    for (int i = 0; i < 10; i++) {
      rate.record();
    }
    now.addAndGet(2 * SECOND);

    assertThat(rate.perSecond()).isEqualTo(5.0);
    assertThat(rate.total()).isEqualTo(10);
  }

  @Test
  void perSecond_oldRequests_slideOutOfTheMinute() {
    RequestRate rate = new RequestRate(now::get);
    now.addAndGet(100 * SECOND);
    for (int i = 0; i < 120; i++) {
      rate.record();
    }
    assertThat(rate.perSecond()).isEqualTo(2.0);

    now.addAndGet(30 * SECOND);
    rate.record();
    assertThat(rate.perSecond()).isEqualTo(121 / 60.0);

    now.addAndGet(31 * SECOND);
    assertThat(rate.perSecond()).isEqualTo(1 / 60.0);
    assertThat(rate.total()).isEqualTo(121);
  }

  @Test
  void record_concurrentThreads_noCountLost() throws InterruptedException {
    RequestRate rate = RequestRate.create();
    Thread[] threads = new Thread[8];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; i < 10_000; i++) {
                      rate.record();
                    }
                  });
    }
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(rate.total()).isEqualTo(80_000);
    assertThat(rate.perSecond()).isGreaterThan(0);
  }
}
