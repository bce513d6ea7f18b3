package ai.sophia.search;

import ai.sophia.web.ChallengeDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * DuckDuckGo's HTML endpoint (no key): {@code POST <base>} with form field {@code q}, the way its
 * own no-JavaScript page searches. Results are {@code div.result} blocks; the {@code a.result__a}
 * link usually points at DuckDuckGo's redirector ({@code //duckduckgo.com/l/?uddg=<target>}), whose
 * {@code uddg} parameter is the real URL. Ads ({@code .result--ad}, {@code y.js} links) are
 * skipped. When DuckDuckGo rate-limits it answers 202 or 403, or serves an "anomaly" CAPTCHA page;
 * all three are reported as blocked.
 */
final class DuckDuckGoProvider implements SearchProvider {
  static final String NAME = "duckduckgo";
  private final String baseUrl;
  private final ProviderHttp http;

  DuckDuckGoProvider(String baseUrl, ProviderHttp http) {
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
    return results(query, limit).hits();
  }

  @Override
  public SearchResults results(String query, int limit) {
    HttpUrl url = ProviderHttp.endpoint(NAME, baseUrl);
    var request =
        http.request()
            .url(url)
            .header("Accept", "text/html")
            .post(new FormBody.Builder().add("q", query).build())
            .build();
    var answer = http.send(NAME, request);
    if (answer.status() == 202) {
      throw new SearchException(NAME, "rate-limited us (HTTP 202)", true, null);
    }
    if (ChallengeDetector.isChallenge(answer.status(), answer.body())) {
      throw new SearchException(NAME, "answered with a CAPTCHA challenge", true, null);
    }
    return parse(answer.body(), url, limit);
  }

  /** Results in order; ads are not results, other blocks without a usable link are rejected. */
  static SearchResults parse(String html, HttpUrl base, int limit) {
    Document doc = Jsoup.parse(html, base.toString());
    List<SearchHit> hits = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    int position = 0;
    for (Element result : doc.select("div.result")) {
      if (result.hasClass("result--ad")) {
        continue;
      }
      position++;
      Element link = result.selectFirst("a.result__a[href]");
      if (link == null) {
        rejected.add(NAME + " result " + position + ": no link");
        continue;
      }
      String target = target(link.attr("href"), base);
      if (target.isEmpty()) {
        String href = link.attr("href");
        if (!isAd(href, base)) {
          rejected.add(href + ": not an http(s) result URL");
        }
        continue;
      }
      Element snippet = result.selectFirst(".result__snippet");
      hits.add(
          new SearchHit(
              target, link.text(), snippet == null ? "" : snippet.text(), NAME, hits.size() + 1));
      if (hits.size() == limit) {
        break;
      }
    }
    return new SearchResults(hits, rejected);
  }

  /** DuckDuckGo's own links other than its redirector: ads ({@code y.js}) and navigation. */
  private static boolean isAd(String href, HttpUrl base) {
    HttpUrl link = base.resolve(href);
    return link != null && isDuckDuckGo(link) && !link.encodedPath().equals("/l/");
  }

  private static boolean isDuckDuckGo(HttpUrl link) {
    return link.host().equals("duckduckgo.com") || link.host().endsWith(".duckduckgo.com");
  }

  /**
   * The result's real URL: the redirector's {@code uddg} target, or the link itself; "" for ads.
   */
  private static String target(String href, HttpUrl base) {
    HttpUrl link = base.resolve(href);
    if (link == null) {
      return "";
    }
    if (isDuckDuckGo(link)) {
      if (link.encodedPath().equals("/l/")) {
        String uddg = link.queryParameter("uddg");
        HttpUrl real = uddg == null ? null : HttpUrl.parse(uddg);
        return real == null ? "" : real.toString();
      }
      // y.js and other DuckDuckGo links are ads or internal navigation.
      return "";
    }
    return link.toString();
  }
}
