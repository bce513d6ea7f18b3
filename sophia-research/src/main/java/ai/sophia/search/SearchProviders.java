package ai.sophia.search;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.web.SafeFetcher;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Builds the web search providers from configuration; keys come from {@link Secrets}. */
public final class SearchProviders {
  private SearchProviders() {}

  /**
   * The web providers by engine name: duckduckgo, searxng, serper, brave, tavily. Each reports
   * {@link SearchProvider#configured()} false when its base URL or key is missing. The {@code
   * local} engine is not among them; add it to the map before building a {@link SearchRouter}.
   */
  public static Map<String, SearchProvider> create(SophiaConfig config, Secrets secrets) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(secrets, "secrets");
    var fetch = config.research().fetch();
    ProviderHttp http =
        new ProviderHttp(
            Duration.ofMillis(fetch.timeoutMs()),
            fetch.userAgent(),
            SafeFetcher.create(fetch),
            fetch.maxRedirects());
    var p = config.providers();
    Map<String, SearchProvider> providers = new LinkedHashMap<>();
    add(providers, new DuckDuckGoProvider(p.duckduckgo().baseUrl(), http));
    add(providers, json(JsonApis.SEARXNG, p.searxng(), secrets, http));
    add(providers, json(JsonApis.SERPER, p.serper(), secrets, http));
    add(providers, json(JsonApis.BRAVE, p.brave(), secrets, http));
    add(providers, json(JsonApis.TAVILY, p.tavily(), secrets, http));
    return providers;
  }

  private static void add(Map<String, SearchProvider> providers, SearchProvider provider) {
    providers.put(provider.name(), provider);
  }

  private static SearchProvider json(
      JsonApis.Wire wire, SophiaConfig.Provider provider, Secrets secrets, ProviderHttp http) {
    String keyEnv = provider.apiKeyEnv() == null ? "" : provider.apiKeyEnv();
    String key = wire.needsKey() ? secrets.get(keyEnv).orElse("") : "";
    String baseUrl = provider.baseUrl() == null ? "" : provider.baseUrl();
    return new JsonApiProvider(wire, baseUrl, keyEnv, key, http);
  }
}
