package ai.sophia.search;

import java.util.List;
import java.util.Map;

/**
 * Tavily's search API: {@code POST <base>} with {@code Authorization: Bearer <key>} and JSON {@code
 * {query, max_results, search_depth:"basic"}}, answering {@code
 * {results:[{title,url,content,score}]}}.
 */
final class TavilyProvider implements SearchProvider {
  static final String NAME = "tavily";

  /** Tavily serves at most 20 results per request. */
  private static final int MAX_RESULTS = 20;

  private final PaidEndpoint endpoint;
  private final ProviderHttp http;

  TavilyProvider(PaidEndpoint endpoint, ProviderHttp http) {
    this.endpoint = endpoint;
    this.http = http;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean configured() {
    return endpoint.configured();
  }

  @Override
  public List<SearchHit> search(String query, int limit) {
    var body =
        Map.of(
            "query", query, "max_results", Math.min(limit, MAX_RESULTS), "search_depth", "basic");
    var request =
        http.request()
            .url(endpoint.url())
            .header("Authorization", "Bearer " + endpoint.key())
            .post(ProviderHttp.json(body))
            .build();
    var root = ProviderHttp.parseJson(NAME, http.send(NAME, request));
    return ProviderHttp.hits(NAME, root.path("results"), "url", "title", "content", limit);
  }
}
