package ai.sophia.model;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.health.HealthCheck;
import ai.sophia.memory.OperationsStore;
import ai.sophia.tracing.TraceSpan;
import ai.sophia.tracing.Traces;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ModelGateway} over real providers (OpenRouter, an OpenAI-compatible server, Anthropic)
 * through LangChain4j.
 *
 * <p>Design: a call first checks the key's budget, then walks the policy's chain. Each model gets
 * up to {@code max_attempts} attempts, each run on a virtual thread under {@code timeout_ms} and
 * admitted by the model's circuit breaker; between attempts the caller's thread sleeps (backoff
 * with jitter, or the provider's Retry-After). A model whose provider is not configured or whose
 * circuit is open is skipped. Every attempt is reported in the reply (or the exception) and, unless
 * skipped, accounted. Streaming falls back only while no token has reached the caller. Thread-safe:
 * the mutable state is the breakers (resilience4j's own) and each provider's last call (volatile).
 * Provider keys live only inside {@link ProviderClient}; every detail that reaches a log line or an
 * exception goes through its {@code redact}.
 */
public final class RoutingModelGateway implements ModelGateway {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingModelGateway.class);

  private final SophiaConfig.Models config;
  private final ModelPolicy defaultPolicy;
  private final Map<String, ProviderClient> providers;
  private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final CircuitBreakerConfig breakerConfig;
  private final Backoff backoff;
  private final Accounting accounting;
  private final Budgets budgets;
  private final ProviderHealth health;

  private RoutingModelGateway(
      SophiaConfig.Models config,
      Map<String, ProviderClient> providers,
      Accounting accounting,
      RandomGenerator random) {
    this.config = config;
    this.defaultPolicy = ModelPolicy.of(config.defaultChain(), "models.default_chain");
    this.providers = Map.copyOf(providers);
    int threshold = Math.max(1, config.circuitFailureThreshold());
    this.breakerConfig =
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(threshold)
            .minimumNumberOfCalls(threshold)
            .failureRateThreshold(100)
            .waitDurationInOpenState(Duration.ofMillis(Math.max(1, config.circuitOpenMs())))
            .permittedNumberOfCallsInHalfOpenState(1)
            .build();
    this.backoff = new Backoff(config.backoffInitialMs(), config.backoffMaxMs(), random);
    this.accounting = accounting;
    this.budgets = new Budgets(config.dailyBudgetUsdPerKey(), config.keyBudgets(), accounting);
    this.health = new ProviderHealth(this.providers, offline());
  }

  /**
   * The gateway for {@code config}: providers are created for those with credentials in {@code
   * secrets}; usage goes to {@code usage}, {@code operations} ({@code model.call} metrics) and
   * {@code meters}.
   */
  public static RoutingModelGateway create(
      SophiaConfig.Models config,
      Secrets secrets,
      UsageStore usage,
      OperationsStore operations,
      MeterRegistry meters) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(secrets, "secrets");
    Accounting accounting =
        new Accounting(
            config.prices(),
            Objects.requireNonNull(usage, "usage"),
            Objects.requireNonNull(operations, "operations"),
            Objects.requireNonNull(meters, "meters"),
            Clock.systemUTC());
    Map<String, ProviderClient> providers =
        config.mode() == SophiaConfig.Mode.offline
            ? Map.of()
            : ProviderClient.create(config, secrets);
    return new RoutingModelGateway(config, providers, accounting, RandomGenerator.getDefault());
  }

  @Override
  public ModelPolicy defaultPolicy() {
    return defaultPolicy;
  }

  @Override
  public boolean available(ModelPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    return !offline() && policy.chain().stream().anyMatch(m -> providers.containsKey(m.provider()));
  }

  @Override
  public ModelReply chat(ModelPolicy policy, ModelRequest request, CallContext context) {
    return call(policy, request, context, null);
  }

  @Override
  public ModelReply stream(
      ModelPolicy policy, ModelRequest request, CallContext context, Consumer<String> onToken) {
    return call(policy, request, context, Objects.requireNonNull(onToken, "onToken"));
  }

  @Override
  public List<HealthCheck> healthChecks() {
    return health.checks();
  }

  /** Usage totals for /api/v1/system/stats: calls, tokens, cost today (UTC) and overall. */
  public UsageSummary usage() {
    return accounting.store().summary(accounting.today());
  }

  /** Usage per UTC day and model over the last {@code days} days, today included. */
  public List<DailyUsage> dailyUsage(int days) {
    return accounting.store().daily(accounting.today().minusDays(days - 1L));
  }

  /**
   * Refuses work for a key that has spent its daily model budget, before anything starts.
   *
   * @throws ai.sophia.error.BudgetExceededException naming the key, its budget and its spend
   */
  public void requireBudgetLeft(String apiKeyId) {
    budgets.requireLeft(apiKeyId);
  }

  /** What {@code apiKeyId} spent today (UTC) and its daily budget. */
  public KeyBudget budget(String apiKeyId) {
    return budgets.status(apiKeyId);
  }

  private boolean offline() {
    return config.mode() == SophiaConfig.Mode.offline;
  }

  private ModelReply call(
      ModelPolicy policy, ModelRequest request, CallContext context, Consumer<String> onToken) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(context, "context");
    if (offline()) {
      throw new ModelUnavailableException(
          "models.mode is offline: Sophia calls no model", List.of());
    }
    budgets.check(context, policy.primary(), request);
    long started = System.nanoTime();
    List<Attempt> attempts = new ArrayList<>();
    AtomicBoolean streamed = new AtomicBoolean();
    for (ModelRef model : policy.chain()) {
      ProviderClient provider = providers.get(model.provider());
      if (provider == null) {
        attempts.add(new Attempt(model, "skipped", "provider not configured", 0));
        continue;
      }
      ModelReply reply = tryModel(provider, model, request, context, onToken, streamed, attempts);
      if (reply != null) {
        accounting.call(context, model.toString(), "ok", millisSince(started));
        return reply;
      }
      if (streamed.get()) {
        return fail(context, started, attempts, "the answer of " + model + " broke off mid-stream");
      }
    }
    return fail(context, started, attempts, "no model of the policy could answer");
  }

  private ModelReply fail(
      CallContext context, long started, List<Attempt> attempts, String message) {
    accounting.call(context, "", "unavailable", millisSince(started));
    String summary =
        attempts.stream()
            .map(
                a ->
                    a.model()
                        + " "
                        + a.outcome()
                        + (a.detail().isEmpty() ? "" : " (" + a.detail() + ")"))
            .collect(Collectors.joining("; "));
    if (attempts.stream().allMatch(a -> a.outcome().equals("skipped"))) {
      // Nothing was asked: configuration or open circuits, already reported by /health.
      LOG.info("model call refused: {}: {}", message, summary);
    } else {
      LOG.warn("model call failed: {}: {}", message, summary);
    }
    throw new ModelUnavailableException(message + ": " + summary, attempts);
  }

  /** The reply of {@code model}, or null when it failed or was skipped (its attempts added). */
  private ModelReply tryModel(
      ProviderClient provider,
      ModelRef model,
      ModelRequest request,
      CallContext context,
      Consumer<String> onToken,
      AtomicBoolean streamed,
      List<Attempt> attempts) {
    CircuitBreaker breaker =
        breakers.computeIfAbsent(model.toString(), name -> CircuitBreaker.of(name, breakerConfig));
    int maxAttempts = Math.max(1, config.maxAttempts());
    for (int n = 1; n <= maxAttempts; n++) {
      if (!breaker.tryAcquirePermission()) {
        attempts.add(new Attempt(model, "skipped", "circuit open", 0));
        return null;
      }
      long t0 = System.nanoTime();
      // One attempt, one span (gen_ai semantic conventions); the backoff after it is not in it.
      TraceSpan span = Traces.client("chat", model.model());
      span.set("gen_ai.operation.name", "chat")
          .set("gen_ai.provider.name", model.provider())
          .set("gen_ai.request.model", model.model())
          .set("sophia.model.attempt", n);
      try {
        LangChainMapping.Answer answer = attempt(provider, model, request, onToken, streamed);
        long ms = millisSince(t0);
        breaker.onSuccess(ms, TimeUnit.MILLISECONDS);
        double cost = accounting.cost(model, answer.usage());
        Attempt ok = new Attempt(model, "ok", "", ms);
        attempts.add(ok);
        provider.seen(ok);
        accounting.attempt(context, model, "ok", answer.usage(), cost, ms);
        span.set("gen_ai.response.model", model.model())
            .set("gen_ai.usage.input_tokens", answer.usage().inputTokens())
            .set("gen_ai.usage.output_tokens", answer.usage().outputTokens())
            .set("gen_ai.response.finish_reasons", String.valueOf(answer.finishReason()))
            .set("sophia.cost_usd", cost);
        return new ModelReply(
            answer.text(),
            answer.toolCalls(),
            answer.usage(),
            cost,
            model,
            answer.finishReason(),
            attempts);
      } catch (InterruptedException e) {
        breaker.releasePermission();
        Thread.currentThread().interrupt();
        attempts.add(new Attempt(model, "error", "interrupted", millisSince(t0)));
        throw new ModelUnavailableException("the model call was interrupted", attempts);
      } catch (Exception e) {
        long ms = millisSince(t0);
        Failures.Failure failure = Failures.classify(e, provider::redact);
        if (failure.counts()) {
          breaker.onError(ms, TimeUnit.MILLISECONDS, e);
        } else {
          breaker.releasePermission();
        }
        Attempt failed = new Attempt(model, failure.outcome(), failure.detail(), ms);
        attempts.add(failed);
        provider.seen(failed);
        accounting.attempt(context, model, failure.outcome(), TokenUsage.NONE, 0, ms);
        span.set("error.type", failure.outcome()).fail(failure.detail());
        span.close();
        LOG.info(
            "model {} attempt {}/{} {}: {}",
            model,
            n,
            maxAttempts,
            failure.outcome(),
            failure.detail());
        if (streamed.get() || !failure.retryable() || n == maxAttempts) {
          return null;
        }
        Duration wait = backoff.delay(n, failure.retryAfterHeader());
        if (wait.toMillis() > config.timeoutMs()) {
          // A Retry-After longer than an attempt may take: the next model answers sooner.
          return null;
        }
        if (!sleep(wait)) {
          throw new ModelUnavailableException("the model call was interrupted", attempts);
        }
      } finally {
        span.close();
      }
    }
    return null;
  }

  /** One attempt under the per-attempt timeout, on its own virtual thread. */
  private LangChainMapping.Answer attempt(
      ProviderClient provider,
      ModelRef model,
      ModelRequest request,
      Consumer<String> onToken,
      AtomicBoolean streamed)
      throws Exception {
    AtomicBoolean abandoned = new AtomicBoolean();
    FutureTask<LangChainMapping.Answer> task =
        new FutureTask<>(
            Traces.wrapCallable(
                () ->
                    onToken == null
                        ? provider.chat(model, request)
                        : provider.stream(
                            model,
                            request,
                            token -> {
                              if (!abandoned.get()) {
                                streamed.set(true);
                                onToken.accept(token);
                              }
                            })));
    Thread.ofVirtual().name("model-call-" + model).start(task);
    try {
      return task.get(config.timeoutMs(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      abandoned.set(true);
      task.cancel(true);
      throw e;
    } catch (InterruptedException e) {
      abandoned.set(true);
      task.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private static boolean sleep(Duration wait) {
    try {
      Thread.sleep(wait);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
