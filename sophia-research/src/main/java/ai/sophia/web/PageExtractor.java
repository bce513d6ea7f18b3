package ai.sophia.web;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.parser.Parser;

/**
 * Turns a fetched page or a file's text into an {@link ExtractedPage}: title, main text without
 * boilerplate, published date, canonical URL and outgoing http(s) links. HTML, Markdown, plain
 * text, XML and JSON are understood; the media type decides. Thread-safe.
 */
public final class PageExtractor {
  private static final Pattern MD_LINK = Pattern.compile("!?\\[([^\\]]*)]\\(([^)\\s]+)[^)]*\\)");
  private static final Pattern MD_HEADING = Pattern.compile("(?m)^#{1,6}\\s+");
  private static final Pattern MD_FENCE = Pattern.compile("(?m)^\\s*(```|~~~).*$");
  private static final Pattern MD_EMPHASIS = Pattern.compile("(\\*\\*|__|`)");
  private static final int MAX_TITLE = 300;

  private PageExtractor() {}

  public static PageExtractor create() {
    return new PageExtractor();
  }

  /** Extracts a page fetched over HTTP; links resolve against its final URL. */
  public ExtractedPage extract(FetchedPage page) {
    Objects.requireNonNull(page, "page");
    return extract(page.finalUrl().toString(), page.body(), page.contentType());
  }

  /**
   * Extracts {@code content} of the given media type ({@code text/html}, {@code text/markdown},
   * {@code text/plain}, ...; parameters are ignored) found at {@code url}.
   */
  public ExtractedPage extract(String url, String content, String mediaType) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(content, "content");
    String type = Objects.requireNonNull(mediaType, "mediaType").toLowerCase(Locale.ROOT);
    int semicolon = type.indexOf(';');
    type = (semicolon < 0 ? type : type.substring(0, semicolon)).strip();
    return switch (type) {
      case "text/html", "application/xhtml+xml" -> html(url, content);
      case "text/markdown", "text/x-markdown" -> markdown(url, content);
      case "application/xml", "text/xml" -> xml(url, content);
      default -> plain(url, content);
    };
  }

  private static ExtractedPage html(String url, String content) {
    Document doc = Jsoup.parse(content, url);
    String canonical = "";
    Element link = doc.selectFirst("link[rel=canonical][href]");
    if (link != null) {
      canonical = httpUrl(link.absUrl("href"));
    }
    Set<String> links = new LinkedHashSet<>();
    for (Element a : doc.select("a[href]")) {
      String target = httpUrl(a.absUrl("href"));
      if (!target.isEmpty()) {
        links.add(target);
      }
    }
    return new ExtractedPage(
        url,
        canonical,
        title(doc),
        MainContent.text(doc),
        PublishedDate.find(doc),
        links.stream().toList());
  }

  private static String title(Document doc) {
    Element og = doc.selectFirst("meta[property=og:title][content]");
    if (og != null && !og.attr("content").isBlank()) {
      return clip(og.attr("content").strip());
    }
    if (!doc.title().isBlank()) {
      return clip(doc.title().strip());
    }
    Element h1 = doc.selectFirst("h1");
    return h1 == null ? "" : clip(h1.text());
  }

  private static ExtractedPage markdown(String url, String content) {
    String title = "";
    for (String line : content.lines().toList()) {
      if (line.startsWith("# ")) {
        title = clip(line.substring(2).strip());
        break;
      }
    }
    Set<String> links = new LinkedHashSet<>();
    Matcher m = MD_LINK.matcher(content);
    StringBuilder text = new StringBuilder();
    while (m.find()) {
      String target = httpUrl(resolve(url, m.group(2)));
      boolean image = m.group().startsWith("!");
      if (!target.isEmpty() && !image) {
        links.add(target);
      }
      m.appendReplacement(text, Matcher.quoteReplacement(image ? "" : m.group(1)));
    }
    m.appendTail(text);
    String plain = MD_HEADING.matcher(text).replaceAll("");
    plain = MD_FENCE.matcher(plain).replaceAll("");
    plain = MD_EMPHASIS.matcher(plain).replaceAll("");
    if (title.isEmpty()) {
      title = firstLine(plain);
    }
    return new ExtractedPage(url, "", title, paragraphs(plain), "", links.stream().toList());
  }

  private static ExtractedPage xml(String url, String content) {
    Document doc = Jsoup.parse(content, url, Parser.xmlParser());
    Element titleElement = doc.selectFirst("title");
    String title = titleElement == null ? "" : clip(titleElement.text());
    return new ExtractedPage(url, "", title, MainContent.render(doc), "", List.of());
  }

  private static ExtractedPage plain(String url, String content) {
    return new ExtractedPage(url, "", firstLine(content), paragraphs(content), "", List.of());
  }

  /** Normalizes line endings and runs of blank lines, keeping paragraph breaks. */
  private static String paragraphs(String text) {
    return text.replace("\r\n", "\n")
        .replace('\r', '\n')
        .replaceAll("[ \\t]+\\n", "\n")
        .replaceAll("\\n{3,}", "\n\n")
        .strip();
  }

  private static String firstLine(String text) {
    return text.lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty())
        .findFirst()
        .map(PageExtractor::clip)
        .orElse("");
  }

  private static String clip(String title) {
    String oneLine = title.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= MAX_TITLE ? oneLine : oneLine.substring(0, MAX_TITLE);
  }

  private static String resolve(String base, String href) {
    HttpUrl baseUrl = HttpUrl.parse(base);
    HttpUrl resolved = baseUrl == null ? HttpUrl.parse(href) : baseUrl.resolve(href);
    return resolved == null ? "" : resolved.toString();
  }

  /** {@code url} without its fragment when it is http(s); "" otherwise. */
  private static String httpUrl(String url) {
    HttpUrl parsed = url.isEmpty() ? null : HttpUrl.parse(url);
    return parsed == null ? "" : parsed.newBuilder().fragment(null).build().toString();
  }
}
