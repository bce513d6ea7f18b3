package ai.sophia.model;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Model configuration for tests: small timeouts and backoffs, providers pointed at scripted
 * servers, keys in a fake environment. Mutable; {@link #models()} snapshots it.
 */
final class TestModels {
  static final String OPENROUTER_KEY = "sk-or-v1-test-secret-0123456789";
  static final String ANTHROPIC_KEY = "sk-ant-test-secret-9876543210";

  SophiaConfig.Mode mode = SophiaConfig.Mode.auto;
  List<String> chain = List.of("openrouter:test/primary");
  int timeoutMs = 5000;
  int maxAttempts = 1;
  int backoffInitialMs = 5;
  int backoffMaxMs = 20;
  int circuitFailureThreshold = 5;
  int circuitOpenMs = 30_000;
  double dailyBudget = 0;
  Map<String, Double> keyBudgets = new HashMap<>();
  String openrouterUrl = "";
  String compatibleUrl = "";
  String anthropicUrl = "";
  Map<String, SophiaConfig.Price> prices = new HashMap<>();
  Map<String, String> env = new HashMap<>();

  TestModels openrouter(ScriptedOpenAiServer server) {
    openrouterUrl = server.baseUrl();
    env.put("OPENROUTER_API_KEY", OPENROUTER_KEY);
    return this;
  }

  TestModels anthropic(ScriptedAnthropicServer server) {
    anthropicUrl = server.baseUrl();
    env.put("ANTHROPIC_API_KEY", ANTHROPIC_KEY);
    return this;
  }

  TestModels compatible(ScriptedOpenAiServer server) {
    compatibleUrl = server.baseUrl();
    return this;
  }

  TestModels chain(String... refs) {
    chain = List.of(refs);
    return this;
  }

  TestModels price(String model, double input, double output) {
    prices.put(model, new SophiaConfig.Price(input, output));
    return this;
  }

  SophiaConfig.Models models() {
    return new SophiaConfig.Models(
        mode,
        chain,
        timeoutMs,
        maxAttempts,
        backoffInitialMs,
        backoffMaxMs,
        circuitFailureThreshold,
        circuitOpenMs,
        dailyBudget,
        Map.copyOf(keyBudgets),
        new SophiaConfig.ModelProviders(
            new SophiaConfig.ModelProvider(
                openrouterUrl.isEmpty() ? "http://127.0.0.1:9/unused" : openrouterUrl,
                "OPENROUTER_API_KEY"),
            new SophiaConfig.ModelProvider(compatibleUrl, "OPENAI_COMPATIBLE_API_KEY"),
            new SophiaConfig.ModelProvider(
                anthropicUrl.isEmpty() ? "http://127.0.0.1:9/unused" : anthropicUrl,
                "ANTHROPIC_API_KEY")),
        Map.copyOf(prices));
  }

  Secrets secrets() {
    return Secrets.create(env);
  }
}
