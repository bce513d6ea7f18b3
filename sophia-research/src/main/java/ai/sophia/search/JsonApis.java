package ai.sophia.search;

import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.Request;

/** The wire formats of the JSON search APIs Sophia speaks, one {@link Wire} each. */
final class JsonApis {
  private JsonApis() {}

  /** Builds the request for one search, on a builder that already carries the User-Agent. */
  @FunctionalInterface
  interface RequestMaker {
    Request.Builder build(
        Request.Builder base, HttpUrl endpoint, String key, String query, int limit);
  }

  /**
   * How to ask an engine and read its answer: the results array at {@code resultsPointer} (a JSON
   * pointer) holds objects with the named URL, title and snippet fields.
   */
  record Wire(
      String name,
      boolean needsKey,
      RequestMaker request,
      String resultsPointer,
      String urlField,
      String titleField,
      String snippetField) {}

  /**
   * A self-hosted SearXNG: {@code GET <base>/search?q=&format=json} answering {@code
   * {results:[{url,title,content,engine}]}}. The instance must enable the json format in its
   * settings, or it answers 403.
   */
  static final Wire SEARXNG =
      new Wire(
          "searxng",
          false,
          (base, endpoint, key, query, limit) ->
              base.url(
                      endpoint
                          .newBuilder()
                          .addPathSegment("search")
                          .addQueryParameter("q", query)
                          .addQueryParameter("format", "json")
                          .build())
                  .header("Accept", "application/json")
                  .get(),
          "/results",
          "url",
          "title",
          "content");

  /**
   * Google results through Serper: {@code POST <base>} with header {@code X-API-KEY} and JSON
   * {@code {q, num}}, answering {@code {organic:[{title,link,snippet,position}]}}.
   */
  static final Wire SERPER =
      new Wire(
          "serper",
          true,
          (base, endpoint, key, query, limit) ->
              base.url(endpoint)
                  .header("X-API-KEY", key)
                  .post(ProviderHttp.json(Map.of("q", query, "num", Math.min(limit, 100)))),
          "/organic",
          "link",
          "title",
          "snippet");

  /**
   * Brave Search's web API: {@code GET <base>?q=&count=} (count at most 20) with header {@code
   * X-Subscription-Token}, answering {@code {web:{results:[{title,url,description}]}}}; matches in
   * descriptions come wrapped in {@code <strong>}.
   */
  static final Wire BRAVE =
      new Wire(
          "brave",
          true,
          (base, endpoint, key, query, limit) ->
              base.url(
                      endpoint
                          .newBuilder()
                          .addQueryParameter("q", query)
                          .addQueryParameter("count", Integer.toString(Math.min(limit, 20)))
                          .build())
                  .header("Accept", "application/json")
                  .header("X-Subscription-Token", key)
                  .get(),
          "/web/results",
          "url",
          "title",
          "description");

  /**
   * Tavily: {@code POST <base>} with {@code Authorization: Bearer <key>} and JSON {@code {query,
   * max_results, search_depth:"basic"}} (at most 20 results), answering {@code
   * {results:[{title,url,content,score}]}}.
   */
  static final Wire TAVILY =
      new Wire(
          "tavily",
          true,
          (base, endpoint, key, query, limit) ->
              base.url(endpoint)
                  .header("Authorization", "Bearer " + key)
                  .post(
                      ProviderHttp.json(
                          Map.of(
                              "query",
                              query,
                              "max_results",
                              Math.min(limit, 20),
                              "search_depth",
                              "basic"))),
          "/results",
          "url",
          "title",
          "content");
}
