package ai.sophia.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Finds when a page says it was published, as an ISO date ({@code 2024-03-05}). Sources, most
 * trusted first: {@code article:published_time}, JSON-LD {@code datePublished}, microdata, other
 * date metas, then a {@code <time datetime>}.
 */
final class PublishedDate {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ISO_DATE = Pattern.compile("^\\s*(\\d{4})[-/](\\d{2})[-/](\\d{2})");
  private static final String METAS =
      "meta[name=date], meta[name=dc.date], meta[name=dc.date.issued], meta[name=dcterms.created],"
          + " meta[name=dcterms.date], meta[name=pubdate], meta[name=publish-date],"
          + " meta[name=publication_date], meta[property=og:published_time],"
          + " meta[name=citation_publication_date]";

  private PublishedDate() {}

  static String find(Document doc) {
    List<String> candidates = new ArrayList<>();
    doc.select("meta[property=article:published_time], meta[name=article:published_time]")
        .forEach(m -> candidates.add(m.attr("content")));
    for (Element script : doc.select("script[type=application/ld+json]")) {
      jsonLdDate(script.data()).ifPresent(candidates::add);
    }
    for (Element e : doc.select("[itemprop=datePublished]")) {
      candidates.add(firstNonBlank(e.attr("datetime"), e.attr("content"), e.text()));
    }
    doc.select(METAS).forEach(m -> candidates.add(m.attr("content")));
    Element scope = doc.selectFirst("article, main, [role=main]");
    Element time = (scope == null ? doc : scope).selectFirst("time[datetime]");
    if (time != null) {
      candidates.add(time.attr("datetime"));
    }
    return candidates.stream()
        .map(PublishedDate::isoDate)
        .flatMap(Optional::stream)
        .findFirst()
        .orElse("");
  }

  /** The date part of an ISO-8601 timestamp or date, if it is a real calendar date. */
  static Optional<String> isoDate(String text) {
    Matcher m = ISO_DATE.matcher(text);
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          LocalDate.of(
                  Integer.parseInt(m.group(1)),
                  Integer.parseInt(m.group(2)),
                  Integer.parseInt(m.group(3)))
              .toString());
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> jsonLdDate(String json) {
    try {
      return datePublished(JSON.readTree(json));
    } catch (JsonProcessingException e) {
      // Broken JSON-LD is common on the web; other date sources still apply.
      return Optional.empty();
    }
  }

  private static Optional<String> datePublished(JsonNode node) {
    if (node == null) {
      return Optional.empty();
    }
    if (node.isObject()) {
      JsonNode date = node.get("datePublished");
      if (date != null && date.isTextual()) {
        return Optional.of(date.asText());
      }
      for (JsonNode child : node) {
        Optional<String> found = datePublished(child);
        if (found.isPresent()) {
          return found;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        Optional<String> found = datePublished(child);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (!v.isBlank()) {
        return v;
      }
    }
    return "";
  }
}
