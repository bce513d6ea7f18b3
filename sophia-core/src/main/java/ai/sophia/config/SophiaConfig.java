package ai.sophia.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;

/**
 * Sophia's whole configuration, immutable. Built by {@link ConfigLoader} from the bundled defaults,
 * an optional {@code sophia.yaml} and {@code SOPHIA_*} environment variables.
 */
public record SophiaConfig(
    Environment environment,
    @JsonProperty("data_dir") Path dataDir,
    Server server,
    Security security,
    Research research,
    Providers providers,
    Ingest ingest,
    Embedding embedding,
    Cache cache) {

  /** Where Sophia runs; production tightens defaults (for example, no stack traces anywhere). */
  public enum Environment {
    development,
    staging,
    production
  }

  public record Server(String host, int port, @JsonProperty("max_body_bytes") int maxBodyBytes) {}

  public record Security(@JsonProperty("rate_limit") RateLimit rateLimit) {}

  public record RateLimit(
      @JsonProperty("requests_per_second") double requestsPerSecond, int burst) {}

  public record Research(
      @JsonProperty("default_engine") String defaultEngine,
      @JsonProperty("fallback_engines") List<String> fallbackEngines,
      @JsonProperty("max_parallel_fetches") int maxParallelFetches,
      Fetch fetch) {}

  public record Fetch(
      @JsonProperty("timeout_ms") int timeoutMs,
      @JsonProperty("max_bytes") int maxBytes,
      @JsonProperty("max_redirects") int maxRedirects,
      @JsonProperty("user_agent") String userAgent,
      @JsonProperty("allowed_private_ranges") List<String> allowedPrivateRanges) {}

  public record Providers(
      Provider duckduckgo, Provider searxng, Provider serper, Provider brave, Provider tavily) {}

  /** A search provider's endpoint and, for paid ones, the environment variable with its key. */
  public record Provider(
      @JsonProperty("base_url") String baseUrl, @JsonProperty("api_key_env") String apiKeyEnv) {}

  public record Ingest(
      @JsonProperty("max_pages") int maxPages,
      @JsonProperty("max_depth") int maxDepth,
      @JsonProperty("delay_ms_per_host") int delayMsPerHost) {}

  public record Embedding(String model) {}

  public record Cache(
      @JsonProperty("search_max_entries") int searchMaxEntries,
      @JsonProperty("page_max_entries") int pageMaxEntries,
      @JsonProperty("ttl_minutes") int ttlMinutes) {}
}
