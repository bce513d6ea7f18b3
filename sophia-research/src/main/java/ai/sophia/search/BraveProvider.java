package ai.sophia.search;

import java.util.List;

/**
 * Brave Search's web API: {@code GET <base>?q=&count=} with header {@code X-Subscription-Token},
 * answering {@code {web:{results:[{title,url,description}]}}}.
 */
final class BraveProvider implements SearchProvider {
  static final String NAME = "brave";

  /** Brave serves at most 20 results per request. */
  private static final int MAX_COUNT = 20;

  private final PaidEndpoint endpoint;
  private final ProviderHttp http;

  BraveProvider(PaidEndpoint endpoint, ProviderHttp http) {
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
    var url =
        endpoint
            .url()
            .newBuilder()
            .addQueryParameter("q", query)
            .addQueryParameter("count", Integer.toString(Math.min(limit, MAX_COUNT)))
            .build();
    var request =
        http.request()
            .url(url)
            .header("Accept", "application/json")
            .header("X-Subscription-Token", endpoint.key())
            .get()
            .build();
    var root = ProviderHttp.parseJson(NAME, http.send(NAME, request));
    return ProviderHttp.hits(
        NAME, root.path("web").path("results"), "url", "title", "description", limit);
  }
}
