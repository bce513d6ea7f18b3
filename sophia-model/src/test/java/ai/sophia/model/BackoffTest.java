package ai.sophia.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void delay_withoutRetryAfter_staysBetweenInitialAndDoublingCap() {
    Backoff backoff = new Backoff(100, 1000, new Random(7));

    for (int i = 0; i < 200; i++) {
      assertThat(backoff.delay(1, Optional.empty()).toMillis()).isBetween(100L, 200L);
      assertThat(backoff.delay(2, Optional.empty()).toMillis()).isBetween(100L, 400L);
      assertThat(backoff.delay(10, Optional.empty()).toMillis()).isBetween(100L, 1000L);
    }
  }

  @Test
  void delay_withoutRetryAfter_isJittered() {
    Backoff backoff = new Backoff(100, 1000, new Random(7));

    long distinct =
        java.util.stream.IntStream.range(0, 50)
            .mapToObj(i -> backoff.delay(3, Optional.empty()))
            .distinct()
            .count();

    assertThat(distinct).isGreaterThan(10);
  }

  @Test
  void delay_retryAfter_winsOverBackoff() {
    Backoff backoff = new Backoff(100, 1000, new Random(7));

    assertThat(backoff.delay(1, Optional.of(Duration.ofSeconds(5))))
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void retryAfter_secondsOrHttpDate_parsed_otherwiseIgnored() {
    String inTenSeconds =
        ZonedDateTime.now().plusSeconds(10).format(DateTimeFormatter.RFC_1123_DATE_TIME);

    assertThat(ProviderHttpClient.retryAfter("3")).isEqualTo(Duration.ofSeconds(3));
    assertThat(ProviderHttpClient.retryAfter("0.5")).isEqualTo(Duration.ofMillis(500));
    assertThat(ProviderHttpClient.retryAfter(inTenSeconds))
        .isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
    assertThat(ProviderHttpClient.retryAfter("soon")).isNull();
    assertThat(ProviderHttpClient.retryAfter("-1")).isNull();
  }
}
