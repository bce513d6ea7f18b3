package ai.sophia.model;

import ai.sophia.config.SophiaConfig;
import ai.sophia.memory.OperationsStore;
import ai.sophia.memory.PerformanceMetric;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prices, records and counts model usage: every attempt into the {@link UsageStore} and Micrometer
 * ({@code sophia.model.calls} by model and outcome, {@code sophia.model.tokens} by model and
 * direction, {@code sophia.model.cost} in USD by model), and one {@code model.call} performance
 * metric per gateway call.
 */
final class Accounting {
  private static final Logger LOG = LoggerFactory.getLogger(Accounting.class);
  private static final double PER_MILLION = 1_000_000.0;

  private final Map<String, SophiaConfig.Price> prices;
  private final UsageStore store;
  private final OperationsStore operations;
  private final MeterRegistry meters;
  private final Clock clock;
  private final Set<String> unpriced = ConcurrentHashMap.newKeySet();

  Accounting(
      Map<String, SophiaConfig.Price> prices,
      UsageStore store,
      OperationsStore operations,
      MeterRegistry meters,
      Clock clock) {
    this.prices = prices == null ? Map.of() : Map.copyOf(prices);
    this.store = store;
    this.operations = operations;
    this.meters = meters;
    this.clock = clock;
  }

  LocalDate today() {
    return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  /** USD for {@code usage} at {@code model}'s price; 0 (said once in the log) when unpriced. */
  double cost(ModelRef model, TokenUsage usage) {
    SophiaConfig.Price price = price(model);
    if (price == null) {
      return 0;
    }
    return (usage.inputTokens() * price.input() + usage.outputTokens() * price.output())
        / PER_MILLION;
  }

  /** USD for {@code inputTokens} at {@code model}'s input price; 0 when unpriced. */
  double inputCost(ModelRef model, long inputTokens) {
    SophiaConfig.Price price = price(model);
    return price == null ? 0 : inputTokens * price.input() / PER_MILLION;
  }

  private SophiaConfig.Price price(ModelRef model) {
    SophiaConfig.Price price = prices.get(model.toString());
    if (price == null && unpriced.add(model.toString())) {
      LOG.info("no price for model {} in models.prices: its cost is counted as 0", model);
    }
    return price;
  }

  /** Records one attempt (not skipped ones: they asked nobody). */
  void attempt(
      CallContext context,
      ModelRef model,
      String outcome,
      TokenUsage usage,
      double costUsd,
      long latencyMs) {
    store.record(
        new UsageRecord(
            clock.instant(),
            context.apiKeyId(),
            context.agent(),
            model.toString(),
            outcome,
            usage.inputTokens(),
            usage.outputTokens(),
            costUsd,
            latencyMs));
    String m = model.toString();
    Counter.builder("sophia.model.calls")
        .description("Attempts at a model, by outcome")
        .tags("model", m, "outcome", outcome)
        .register(meters)
        .increment();
    if (usage.inputTokens() > 0) {
      tokens(m, "input").increment(usage.inputTokens());
    }
    if (usage.outputTokens() > 0) {
      tokens(m, "output").increment(usage.outputTokens());
    }
    if (costUsd > 0) {
      Counter.builder("sophia.model.cost")
          .description("What model calls cost")
          .baseUnit("usd")
          .tag("model", m)
          .register(meters)
          .increment(costUsd);
    }
  }

  private Counter tokens(String model, String direction) {
    return Counter.builder("sophia.model.tokens")
        .description("Tokens sent to and received from models")
        .tags("model", model, "direction", direction)
        .register(meters);
  }

  /** One performance metric per gateway call: its whole duration, how it ended, who answered. */
  void call(CallContext context, String answeredBy, String outcome, long durationMs) {
    operations.recordMetrics(
        List.of(
            new PerformanceMetric(
                "model.call",
                durationMs,
                "ms",
                Map.of("model", answeredBy, "outcome", outcome, "agent", context.agent()),
                Instant.now(clock))));
  }

  UsageStore store() {
    return store;
  }
}
