package ai.sophia.search;

import java.util.List;
import java.util.Objects;
import okhttp3.HttpUrl;

/**
 * A self-hosted SearXNG instance through its JSON API: {@code GET <base>/search?q=&format=json}
 * answering {@code {results:[{url,title,content,engine}]}}. The instance must have the json format
 * enabled in its settings, or it answers 403.
 */
final class SearxngProvider implements SearchProvider {
  static final String NAME = "searxng";
  private final String baseUrl;
  private final ProviderHttp http;

  SearxngProvider(String baseUrl, ProviderHttp http) {
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl").strip();
    this.http = http;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean configured() {
    return HttpUrl.parse(baseUrl) != null;
  }

  @Override
  public List<SearchHit> search(String query, int limit) {
    HttpUrl base = HttpUrl.parse(baseUrl);
    if (base == null) {
      throw new SearchException(NAME, "not configured (providers.searxng.base_url)", false, null);
    }
    HttpUrl url =
        base.newBuilder()
            .addPathSegment("search")
            .addQueryParameter("q", query)
            .addQueryParameter("format", "json")
            .build();
    var answer =
        http.send(NAME, http.request().url(url).header("Accept", "application/json").get().build());
    var root = ProviderHttp.parseJson(NAME, answer);
    return ProviderHttp.hits(NAME, root.path("results"), "url", "title", "content", limit);
  }
}
