package ai.sophia.web;

import java.util.List;
import java.util.Objects;

/**
 * The readable content of a page: title, main text (boilerplate removed), publication date if the
 * page states one (ISO-8601 or ""), canonical URL, and the links it holds (for crawling).
 */
public record ExtractedPage(
    String url,
    String canonicalUrl,
    String title,
    String text,
    String publishedDate,
    List<String> links) {
  public ExtractedPage {
    Objects.requireNonNull(url, "url");
    canonicalUrl = canonicalUrl == null || canonicalUrl.isBlank() ? url : canonicalUrl;
    title = title == null ? "" : title;
    text = text == null ? "" : text;
    publishedDate = publishedDate == null ? "" : publishedDate;
    links = links == null ? List.of() : List.copyOf(links);
  }
}
