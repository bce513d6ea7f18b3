package ai.sophia.ingest;

import okhttp3.HttpUrl;

/**
 * The part of a site a crawl may visit: same scheme, host and port as the start URL, and a path
 * under the start URL's directory ({@code /docs/guide/intro.html} allows {@code /docs/guide/}).
 */
record CrawlScope(String scheme, String host, int port, String pathPrefix) {
  static CrawlScope of(HttpUrl start) {
    String path = start.encodedPath();
    String directory = path.substring(0, path.lastIndexOf('/') + 1);
    return new CrawlScope(start.scheme(), start.host(), start.port(), directory);
  }

  boolean contains(HttpUrl url) {
    return sameOrigin(url) && url.encodedPath().startsWith(pathPrefix);
  }

  /** Whether {@code url} has the start URL's scheme, host and port (any path). */
  boolean sameOrigin(HttpUrl url) {
    return url.scheme().equals(scheme) && url.host().equals(host) && url.port() == port;
  }

  /** The site's root, where robots.txt and sitemap.xml live. */
  HttpUrl origin() {
    return new HttpUrl.Builder().scheme(scheme).host(host).port(port).build();
  }
}
