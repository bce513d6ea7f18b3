package ai.sophia.search;

import java.util.List;
import java.util.Map;

/**
 * Google results through Serper: {@code POST <base>} with header {@code X-API-KEY} and JSON {@code
 * {q, num}}, answering {@code {organic:[{title,link,snippet,position}]}}.
 */
final class SerperProvider implements SearchProvider {
  static final String NAME = "serper";
  private final PaidEndpoint endpoint;
  private final ProviderHttp http;

  SerperProvider(PaidEndpoint endpoint, ProviderHttp http) {
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
    var request =
        http.request()
            .url(endpoint.url())
            .header("X-API-KEY", endpoint.key())
            .post(ProviderHttp.json(Map.of("q", query, "num", Math.min(limit, 100))))
            .build();
    var root = ProviderHttp.parseJson(NAME, http.send(NAME, request));
    return ProviderHttp.hits(NAME, root.path("organic"), "link", "title", "snippet", limit);
  }
}
