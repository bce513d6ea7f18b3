package ai.sophia.search;

import ai.sophia.web.TextDecoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
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
 * The HTTP side shared by the web search providers: one plain OkHttp client (providers are fixed,
 * operator-configured endpoints, so no SSRF guard), status codes mapped to {@link
 * SearchException}s, bodies capped. Messages never contain request headers, so API keys stay out of
 * them.
 */
final class ProviderHttp {
  static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

  private final OkHttpClient client;
  private final String userAgent;

  ProviderHttp(Duration timeout, String userAgent) {
    this.client =
        new OkHttpClient.Builder()
            .connectTimeout(timeout)
            .readTimeout(timeout)
            .callTimeout(timeout)
            .build();
    this.userAgent = userAgent;
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
    try (Response response = client.newCall(request).execute()) {
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
    } catch (InterruptedIOException e) {
      throw new SearchException(provider, "timed out", false, e);
    } catch (IOException e) {
      throw new SearchException(provider, "unreachable: " + e.getMessage(), false, e);
    }
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
   * Hits from a JSON array of result objects, in order, keeping only http(s) URLs; titles and
   * snippets lose any highlighting markup (Brave wraps matches in {@code <strong>}).
   */
  static List<SearchHit> hits(
      String provider,
      JsonNode results,
      String urlField,
      String titleField,
      String snippetField,
      int limit) {
    List<SearchHit> hits = new ArrayList<>();
    for (JsonNode result : results) {
      String url = result.path(urlField).asText("");
      if (HttpUrl.parse(url) == null) {
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
    return hits;
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
