package ai.sophia.search;

import ai.sophia.web.FetchException;
import ai.sophia.web.SafeFetcher;
import ai.sophia.web.TextDecoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jsoup.Jsoup;

/**
 * The HTTP side shared by the web search providers: status codes mapped to {@link
 * SearchException}s, bodies capped. Messages never contain request headers, so API keys stay out of
 * them.
 *
 * <p>Design note: the configured endpoint is trusted (an operator may run SearXNG on a private
 * address), and so are redirects that stay on its origin. A redirect anywhere else is input: it is
 * checked by the {@link SafeFetcher}'s address policy and then connected only to the addresses that
 * were checked, without a proxy, and it carries no API key headers. Redirects are therefore
 * followed by hand, at most {@code research.fetch.max_redirects}.
 */
final class ProviderHttp {
  static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

  private final OkHttpClient client;
  private final String userAgent;
  private final SafeFetcher guard;
  private final int maxRedirects;

  ProviderHttp(Duration timeout, String userAgent, SafeFetcher guard, int maxRedirects) {
    this.client =
        new OkHttpClient.Builder()
            .followRedirects(false)
            .followSslRedirects(false)
            .connectTimeout(timeout)
            .readTimeout(timeout)
            .callTimeout(timeout)
            .build();
    this.userAgent = userAgent;
    this.guard = guard;
    this.maxRedirects = maxRedirects;
  }

  /** A request builder with Sophia's User-Agent set. */
  Request.Builder request() {
    return new Request.Builder().header("User-Agent", userAgent);
  }

  /** The provider's endpoint, or a failure naming the configuration key to set. */
  static HttpUrl endpoint(String provider, String baseUrl) {
    HttpUrl url = HttpUrl.parse(baseUrl);
    if (url == null) {
      throw new SearchException(
          provider, "not configured (providers." + provider + ".base_url)", false, null);
    }
    return url;
  }

  /** Serializes {@code body} as a JSON request body. */
  static RequestBody json(Object body) {
    try {
      return RequestBody.create(JSON.writeValueAsBytes(body), JSON_TYPE);
    } catch (IOException e) {
      throw new IllegalArgumentException("request body not serializable", e);
    }
  }

  /** Sends the request; returns the status and body of any answer below 400. */
  Answer send(String provider, Request request) {
    HttpUrl origin = request.url();
    OkHttpClient hopClient = client;
    for (int hop = 0; ; hop++) {
      try (Response response = hopClient.newCall(request).execute()) {
        if (!response.isRedirect()) {
          return answer(provider, response);
        }
        if (hop >= maxRedirects) {
          throw new SearchException(
              provider, "redirected more than " + maxRedirects + " times", false, null);
        }
        HttpUrl next = nextHop(provider, request.url(), response.header("Location"));
        if (sameOrigin(origin, next)) {
          hopClient = client;
          request = redirected(request, response.code(), next, true);
        } else {
          SafeFetcher.CheckedHop checked = check(provider, next);
          hopClient = client.newBuilder().dns(checked.dns()).proxy(Proxy.NO_PROXY).build();
          request = redirected(request, response.code(), checked.url(), false);
        }
      } catch (InterruptedIOException e) {
        throw new SearchException(provider, "timed out", false, e);
      } catch (IOException e) {
        throw new SearchException(provider, "unreachable: " + e.getMessage(), false, e);
      }
    }
  }

  private static HttpUrl nextHop(String provider, HttpUrl current, String location) {
    HttpUrl next = location == null ? null : current.resolve(location);
    if (next == null) {
      throw new SearchException(provider, "redirected without an http(s) Location", false, null);
    }
    return next;
  }

  private SafeFetcher.CheckedHop check(String provider, HttpUrl next) {
    try {
      return guard.checkHop(next);
    } catch (FetchException e) {
      // The message names the hop without user info, and why it was refused.
      throw new SearchException(provider, "redirected to " + e.getMessage(), false, e);
    }
  }

  private static boolean sameOrigin(HttpUrl a, HttpUrl b) {
    return a.scheme().equals(b.scheme()) && a.host().equals(b.host()) && a.port() == b.port();
  }

  /**
   * The request for the next hop, as browsers and OkHttp do it: 307 and 308 repeat the method and
   * body, the others become a GET. Off the configured origin only User-Agent and Accept are kept.
   */
  private Request redirected(Request previous, int status, HttpUrl next, boolean keepHeaders) {
    String accept = previous.header("Accept");
    Request.Builder builder =
        keepHeaders
            ? previous.newBuilder()
            : request().header("Accept", accept == null ? "*/*" : accept);
    builder.url(next);
    boolean keepMethod = status == 307 || status == 308;
    if (keepMethod) {
      builder.method(previous.method(), previous.body());
    } else {
      builder.get().removeHeader("Content-Type").removeHeader("Content-Length");
    }
    return builder.build();
  }

  private static Answer answer(String provider, Response response) throws IOException {
    int status = response.code();
    String body = read(response);
    if (status == 401) {
      throw new SearchException(provider, "rejected the API key (HTTP 401)", false, null);
    }
    if (status == 403 || status == 429) {
      String why = status == 429 ? "rate-limited us" : "refused us";
      throw new SearchException(provider, why + " (HTTP " + status + ")", true, null);
    }
    if (status >= 400) {
      throw new SearchException(provider, "answered HTTP " + status, false, null);
    }
    return new Answer(status, body);
  }

  /** Parses a JSON answer. */
  static JsonNode parseJson(String provider, Answer answer) {
    try {
      return JSON.readTree(answer.body());
    } catch (IOException e) {
      throw new SearchException(provider, "answered with malformed JSON", false, e);
    }
  }

  /**
   * Hits from a JSON array of result objects, in order, keeping only http(s) URLs (the others are
   * rejected with the reason); titles and snippets lose any highlighting markup (Brave wraps
   * matches in {@code <strong>}).
   */
  static SearchResults hits(
      String provider,
      JsonNode results,
      String urlField,
      String titleField,
      String snippetField,
      int limit) {
    List<SearchHit> hits = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    int position = 0;
    for (JsonNode result : results) {
      position++;
      String url = result.path(urlField).asText("").strip();
      if (url.isEmpty()) {
        rejected.add(provider + " result " + position + ": no URL");
        continue;
      }
      if (HttpUrl.parse(url) == null) {
        rejected.add(url + ": not an http(s) URL");
        continue;
      }
      hits.add(
          new SearchHit(
              url,
              plainText(result.path(titleField).asText("")),
              plainText(result.path(snippetField).asText("")),
              provider,
              hits.size() + 1));
      if (hits.size() == limit) {
        break;
      }
    }
    return new SearchResults(hits, rejected);
  }

  /** Text without markup or entities. */
  static String plainText(String html) {
    return html.indexOf('<') < 0 && html.indexOf('&') < 0 ? html.strip() : Jsoup.parse(html).text();
  }

  private static String read(Response response) throws IOException {
    try (InputStream in = response.body().byteStream()) {
      byte[] bytes = in.readNBytes(MAX_BODY_BYTES);
      return TextDecoder.decode(bytes, response.header("Content-Type", ""));
    }
  }

  /** A successful answer. */
  record Answer(int status, String body) {}
}
