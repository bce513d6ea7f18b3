package ai.sophia.model;

import ai.sophia.error.BudgetExceededException;
import java.util.Locale;
import java.util.Map;

/**
 * Daily model budgets per API key: {@code models.key_budgets[key]}, else {@code
 * daily_budget_usd_per_key}; 0 means none. Checked before any model is asked, against what the key
 * spent today (UTC) plus an estimate of the request's input at the primary model's price.
 */
final class Budgets {
  /** About four characters per token, the usual rule of thumb for English text and JSON. */
  private static final int CHARS_PER_TOKEN = 4;

  private final double defaultUsd;
  private final Map<String, Double> perKey;
  private final Accounting accounting;

  Budgets(double defaultUsd, Map<String, Double> perKey, Accounting accounting) {
    this.defaultUsd = defaultUsd;
    this.perKey = perKey == null ? Map.of() : Map.copyOf(perKey);
    this.accounting = accounting;
  }

  KeyBudget status(String apiKeyId) {
    double budget = perKey.getOrDefault(apiKeyId, defaultUsd);
    String day = accounting.today().toString();
    return new KeyBudget(
        apiKeyId, day, accounting.store().spentUsd(apiKeyId, accounting.today()), budget);
  }

  /** Refuses when {@code apiKeyId} has already spent its budget for today. */
  void requireLeft(String apiKeyId) {
    check(apiKeyId, 0);
  }

  void check(CallContext context, ModelRef primary, ModelRequest request) {
    check(context.apiKeyId(), accounting.inputCost(primary, estimatedInputTokens(request)));
  }

  private void check(String apiKeyId, double estimate) {
    double budget = perKey.getOrDefault(apiKeyId, defaultUsd);
    if (budget <= 0) {
      return;
    }
    double spent = accounting.store().spentUsd(apiKeyId, accounting.today());
    if (spent >= budget || spent + estimate > budget) {
      String key = apiKeyId.isEmpty() ? "(none: the CLI)" : "'" + apiKeyId + "'";
      throw new BudgetExceededException(
          String.format(
              Locale.ROOT,
              "API key %s has a daily model budget of $%.4f and has spent $%.4f today (UTC)%s",
              key,
              budget,
              spent,
              spent >= budget
                  ? ""
                  : String.format(
                      Locale.ROOT,
                      "; this request's input alone would cost about $%.4f",
                      estimate)));
    }
  }

  static long estimatedInputTokens(ModelRequest request) {
    long chars = 0;
    for (Message m : request.messages()) {
      chars +=
          switch (m) {
            case Message.System s -> s.text().length();
            case Message.User u -> u.text().length();
            case Message.Assistant a ->
                a.text().length()
                    + a.toolCalls().stream().mapToLong(c -> c.argumentsJson().length()).sum();
            case Message.ToolResult r -> r.text().length();
          };
    }
    for (ToolSpec t : request.tools()) {
      chars += t.description().length() + t.parameters().toString().length();
    }
    return chars / CHARS_PER_TOKEN;
  }
}
