package ai.sophia.search;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * A search engine with a JSON API (SearXNG, Serper, Brave, Tavily): an operator-configured
 * endpoint, for paid engines an API key, and a {@link JsonApis.Wire} that says how to ask and where
 * the results are. The key is kept out of {@link #toString()} and every message; only the name of
 * the environment variable that should hold it is ever shown.
 */
final class JsonApiProvider implements SearchProvider {
  private final JsonApis.Wire wire;
  private final String baseUrl;
  private final String keyEnv;
  private final String key;
  private final ProviderHttp http;

  JsonApiProvider(
      JsonApis.Wire wire, String baseUrl, String keyEnv, String key, ProviderHttp http) {
    this.wire = Objects.requireNonNull(wire, "wire");
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl").strip();
    this.keyEnv = Objects.requireNonNull(keyEnv, "keyEnv");
    this.key = Objects.requireNonNull(key, "key");
    this.http = Objects.requireNonNull(http, "http");
  }

  @Override
  public String name() {
    return wire.name();
  }

  @Override
  public boolean configured() {
    return HttpUrl.parse(baseUrl) != null && (!wire.needsKey() || !key.isBlank());
  }

  @Override
  public List<SearchHit> search(String query, int limit) {
    return results(query, limit).hits();
  }

  @Override
  public SearchResults results(String query, int limit) {
    HttpUrl endpoint = ProviderHttp.endpoint(name(), baseUrl);
    if (wire.needsKey() && key.isBlank()) {
      throw new SearchException(name(), "no API key (set " + keyEnv + ")", false, null);
    }
    Request request = wire.request().build(http.request(), endpoint, key, query, limit).build();
    JsonNode root = ProviderHttp.parseJson(name(), http.send(name(), request));
    return ProviderHttp.hits(
        name(),
        root.at(wire.resultsPointer()),
        wire.urlField(),
        wire.titleField(),
        wire.snippetField(),
        limit);
  }

  @Override
  public String toString() {
    return name() + " at " + baseUrl;
  }
}
