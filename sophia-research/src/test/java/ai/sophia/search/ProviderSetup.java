package ai.sophia.search;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.web.LoopbackServer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Real configuration (bundled defaults plus SOPHIA_* overrides) pointing every web provider at a
 * loopback server, and real {@link SearchProviders} built from it. Paths per provider: /ddg/html/,
 * /searx, /serper/search, /brave/res/v1/web/search, /tavily/search.
 */
final class ProviderSetup {
  static final String SERPER_KEY = "serper-key-5f2d9c0e7a";
  static final String BRAVE_KEY = "BSA-brave-key-8e1b3f";
  static final String TAVILY_KEY = "tvly-tavily-key-4c7a0d";

  private ProviderSetup() {}

  static SophiaConfig config(LoopbackServer server) {
    Map<String, String> env = new HashMap<>();
    env.put("SOPHIA_PROVIDERS_DUCKDUCKGO_BASE_URL", server.url("/ddg/html/"));
    env.put("SOPHIA_PROVIDERS_SEARXNG_BASE_URL", server.url("/searx"));
    env.put("SOPHIA_PROVIDERS_SERPER_BASE_URL", server.url("/serper/search"));
    env.put("SOPHIA_PROVIDERS_BRAVE_BASE_URL", server.url("/brave/res/v1/web/search"));
    env.put("SOPHIA_PROVIDERS_TAVILY_BASE_URL", server.url("/tavily/search"));
    env.put("SOPHIA_RESEARCH_FETCH_TIMEOUT_MS", "2000");
    return ConfigLoader.create(env).load(Optional.empty());
  }

  /** All web providers at {@code server}, with every key set. */
  static Map<String, SearchProvider> providers(LoopbackServer server) {
    return SearchProviders.create(
        config(server),
        Secrets.create(
            Map.of(
                "SERPER_API_KEY",
                SERPER_KEY,
                "BRAVE_API_KEY",
                BRAVE_KEY,
                "TAVILY_API_KEY",
                TAVILY_KEY)));
  }

  /** All web providers at {@code server}, without any key. */
  static Map<String, SearchProvider> providersWithoutKeys(LoopbackServer server) {
    return SearchProviders.create(config(server), Secrets.create(Map.of()));
  }
}
