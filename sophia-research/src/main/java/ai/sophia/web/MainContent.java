package ai.sophia.web;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * The readable text of an HTML page: boilerplate (navigation, headers, footers, asides, scripts,
 * forms, cookie banners, share bars) removed, then the {@code <main>} element, the largest {@code
 * <article>}, or else the block holding the most paragraph text, rendered with blank lines between
 * paragraphs.
 */
final class MainContent {
  private static final String ALWAYS_REMOVED =
      "script, style, noscript, template, iframe, svg, canvas, object, embed, nav, aside, form,"
          + " button, select, input, textarea, dialog, [hidden], [aria-hidden=true],"
          + " [role=navigation], [role=banner], [role=contentinfo], [role=complementary],"
          + " [role=search], [role=dialog]";
  private static final Pattern BOILERPLATE_NAME =
      Pattern.compile(
          "(?i)(^|[-_\\s])(cookies?|consent|share|sharing|social|newsletter|breadcrumbs?|"
              + "advert|advertisement|ads|promo|skip-link|related-posts|subscribe)([-_\\s]|$)");
  private static final Set<String> BLOCKS =
      Set.of(
          "p",
          "div",
          "section",
          "article",
          "main",
          "header",
          "footer",
          "h1",
          "h2",
          "h3",
          "h4",
          "h5",
          "h6",
          "ul",
          "ol",
          "li",
          "dl",
          "dt",
          "dd",
          "pre",
          "blockquote",
          "table",
          "tr",
          "figure",
          "figcaption",
          "details",
          "summary",
          "address",
          "hr",
          "body");

  private MainContent() {}

  /** The main text of {@code page}; the document itself is left untouched. */
  static String text(Document page) {
    Document doc = page.clone();
    doc.select(ALWAYS_REMOVED).remove();
    for (Element e : doc.select("header, footer")) {
      if (e.closest("article, main, [role=main]") == null) {
        e.remove();
      }
    }
    removeBoilerplateBlocks(doc);
    return render(root(doc));
  }

  private static void removeBoilerplateBlocks(Document doc) {
    for (Element e : doc.select("[class], [id]")) {
      String name = e.className() + " " + e.id();
      if (e.parent() == null || isContentContainer(e) || !BOILERPLATE_NAME.matcher(name).find()) {
        continue;
      }
      // Only small or link-heavy blocks: a theme's "content-share-wrap" may hold the article.
      if (e.text().length() < 1500 || linkDensity(e) > 0.5) {
        e.remove();
      }
    }
  }

  private static boolean isContentContainer(Element e) {
    String tag = e.normalName();
    return tag.equals("html") || tag.equals("body") || tag.equals("main") || tag.equals("article");
  }

  private static Element root(Document doc) {
    Element main = doc.selectFirst("main, [role=main]");
    if (main != null && !main.text().isBlank()) {
      return main;
    }
    Element bestArticle = null;
    for (Element article : doc.select("article")) {
      if (bestArticle == null || article.text().length() > bestArticle.text().length()) {
        bestArticle = article;
      }
    }
    if (bestArticle != null && !bestArticle.text().isBlank()) {
      return bestArticle;
    }
    return densest(doc);
  }

  /** The element whose paragraphs hold the most non-link text (a Readability-style score). */
  private static Element densest(Document doc) {
    Map<Element, Double> scores = new HashMap<>();
    for (Element p : doc.select("p, pre, blockquote, li")) {
      int length = p.text().length();
      if (length < 25) {
        continue;
      }
      double score = length * (1 - linkDensity(p));
      Element parent = p.parent();
      if (parent != null) {
        scores.merge(parent, score, Double::sum);
        Element grandparent = parent.parent();
        if (grandparent != null) {
          scores.merge(grandparent, score / 2, Double::sum);
        }
      }
    }
    Element body = doc.body();
    return scores.entrySet().stream()
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey)
        .orElse(body);
  }

  private static double linkDensity(Element e) {
    int total = e.text().length();
    if (total == 0) {
      return 0;
    }
    int linked = 0;
    for (Element a : e.select("a")) {
      linked += a.text().length();
    }
    return (double) linked / total;
  }

  /** Renders text with one paragraph per block element, separated by blank lines. */
  static String render(Element root) {
    List<String> paragraphs = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    NodeTraversor.traverse(
        new NodeVisitor() {
          @Override
          public void head(Node node, int depth) {
            if (node instanceof TextNode text) {
              boolean pre = text.parent() instanceof Element p && p.closest("pre") != null;
              current.append(pre ? text.getWholeText() : text.text());
            } else if (node instanceof Element e) {
              if (e.normalName().equals("br")) {
                current.append('\n');
              } else if (e.normalName().equals("td") || e.normalName().equals("th")) {
                current.append(' ');
              } else if (BLOCKS.contains(e.normalName())) {
                flush(current, paragraphs);
              }
            }
          }

          @Override
          public void tail(Node node, int depth) {
            if (node instanceof Element e && BLOCKS.contains(e.normalName())) {
              flush(current, paragraphs);
            }
          }
        },
        root);
    flush(current, paragraphs);
    return String.join("\n\n", paragraphs);
  }

  private static void flush(StringBuilder current, List<String> paragraphs) {
    List<String> lines = new ArrayList<>();
    for (String line : current.toString().split("\n")) {
      String clean = line.replaceAll("[ \\t\\x0B\\f\\r\\u00a0]+", " ").strip();
      if (!clean.isEmpty()) {
        lines.add(clean);
      }
    }
    if (!lines.isEmpty()) {
      paragraphs.add(String.join("\n", lines));
    }
    current.setLength(0);
  }
}
