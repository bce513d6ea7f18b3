package ai.sophia.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageExtractorTest {
  private final PageExtractor extractor = PageExtractor.create();

  private ExtractedPage news() {
    return extractor.extract(
        "https://courier.example/amp/solar-canopy",
        Fixtures.text("article-news.html"),
        "text/html");
  }

  @Test
  void extract_newsArticle_keepsStoryAndDropsBoilerplate() {
    String text = news().text();

    assertThat(text)
        .contains("Riverside town council has approved plans")
        .contains("about 480 megawatt hours")
        .contains("single largest step")
        .contains("Work is due to start in September");
    assertThat(text)
        .doesNotContain("We use cookies")
        .doesNotContain("Most read")
        .doesNotContain("Related stories")
        .doesNotContain("Post comment")
        .doesNotContain("morning briefing")
        .doesNotContain("All rights reserved")
        .doesNotContain("Search the Courier")
        .doesNotContain("Advertisement")
        .doesNotContain("Share")
        .doesNotContain("__INITIAL_STATE__");
  }

  @Test
  void extract_newsArticle_keepsParagraphBreaks() {
    String text = news().text();

    assertThat(text).contains("late into Tuesday evening.\n\nCouncillors voted nine to two");
    assertThat(text).doesNotContain("\n\n\n");
  }

  @Test
  void extract_newsArticle_readsOgTitleJsonLdDateAndResolvedCanonical() {
    ExtractedPage page = news();

    assertThat(page.title()).isEqualTo("Council approves solar canopy for market square");
    assertThat(page.publishedDate()).isEqualTo("2024-06-12");
    assertThat(page.canonicalUrl())
        .isEqualTo("https://courier.example/news/2024/solar-canopy?src=rss");
    assertThat(page.url()).isEqualTo("https://courier.example/amp/solar-canopy");
  }

  @Test
  void extract_newsArticle_linksAreAbsoluteHttpWithoutFragments() {
    ExtractedPage page = news();

    assertThat(page.links())
        .contains(
            "https://courier.example/news/bridge",
            "https://other.example/solar",
            "https://social.example/share?u=solar")
        .allSatisfy(link -> assertThat(link).startsWith("http").doesNotContain("#"))
        .noneMatch(link -> link.startsWith("mailto") || link.startsWith("javascript"))
        .doesNotHaveDuplicates();
  }

  @Test
  void extract_guideArticle_usesArticleMetaDateAndDropsAsideAndShareBar() {
    ExtractedPage page =
        extractor.extract(
            "http://docs.test/docs/guide.html", LocalWeb.resource("/docs/guide.html"), "text/html");

    assertThat(page.title()).isEqualTo("Getting started with Heliograph");
    assertThat(page.publishedDate()).isEqualTo("2024-03-05");
    assertThat(page.canonicalUrl()).isEqualTo("http://docs.test/docs/guide.html");
    assertThat(page.text())
        .startsWith("Getting started with Heliograph")
        .contains("listens on UDP port 8125")
        .doesNotContain("On this page")
        .doesNotContain("Share on Social")
        .doesNotContain("2024 The Heliograph Project");
  }

  @Test
  void extract_pageWithoutMainOrArticle_picksTheDensestBlock() {
    ExtractedPage page =
        extractor.extract(
            "http://docs.test/docs/configuration.html",
            LocalWeb.resource("/docs/configuration.html"),
            "text/html; charset=utf-8");

    assertThat(page.text())
        .startsWith("Configuration reference")
        .contains("The default is 100000")
        .doesNotContain("Overview")
        .doesNotContain("Heliograph Project");
    assertThat(page.publishedDate()).isEqualTo("2023-11-20");
    assertThat(page.title()).isEqualTo("Configuration reference - Heliograph");
  }

  @Test
  void extract_timeElement_givesDateWhenNoMetaExists() {
    ExtractedPage page =
        extractor.extract(
            "http://docs.test/docs/faq.html", LocalWeb.resource("/docs/faq.html"), "text/html");

    assertThat(page.publishedDate()).isEqualTo("2024-01-15");
    assertThat(page.canonicalUrl()).isEqualTo(page.url());
  }

  @Test
  void extract_titleFallsBackToFirstHeading() {
    ExtractedPage page =
        extractor.extract(
            "http://x.test/", "<body><h1>Only a heading</h1><p>Body.</p></body>", "text/html");

    assertThat(page.title()).isEqualTo("Only a heading");
    assertThat(page.publishedDate()).isEmpty();
  }

  @Test
  void extract_invalidDates_areIgnored() {
    String html =
        "<head><meta property=\"article:published_time\" content=\"2024-13-45\">"
            + "<meta name=\"date\" content=\"2021-02-03\"></head><body><p>x</p></body>";

    assertThat(extractor.extract("http://x.test/", html, "text/html").publishedDate())
        .isEqualTo("2021-02-03");
  }

  @Test
  void extract_markdown_titleFromHeadingAndLinksResolved() {
    String md =
        """
        Intro line before the title.

        # Deploying Heliograph

        Use the [container image](https://images.example/heliograph#tags) or read
        [the guide](guide.md). ![diagram](diagram.png)

        ## Sizing

        One **core** handles `two million` measurements per second.
        """;

    ExtractedPage page = extractor.extract("https://docs.example/deploy.md", md, "text/markdown");

    assertThat(page.title()).isEqualTo("Deploying Heliograph");
    assertThat(page.links())
        .containsExactly("https://images.example/heliograph", "https://docs.example/guide.md");
    assertThat(page.text())
        .contains("Use the container image or read\nthe guide.")
        .contains("Sizing\n\nOne core handles two million")
        .doesNotContain("**")
        .doesNotContain("diagram");
  }

  @Test
  void extract_plainText_titleIsFirstLineAndParagraphsKept() {
    String text = "\n  Release checklist  \n\nTag the release.\r\n\r\n\r\n\r\nPublish the notes.\n";

    ExtractedPage page = extractor.extract("file:///notes/release.txt", text, "text/plain");

    assertThat(page.title()).isEqualTo("Release checklist");
    assertThat(page.text())
        .isEqualTo("Release checklist\n\nTag the release.\n\nPublish the notes.");
    assertThat(page.links()).isEmpty();
  }

  @Test
  void extract_fetchedPage_usesFinalUrlAsBase() {
    FetchedPage fetched =
        new FetchedPage(
            URI.create("http://a.test/old"),
            URI.create("http://b.test/new/page.html"),
            List.of(),
            200,
            "text/html",
            "<title>T</title><main><p>Text <a href=\"next.html#x\">next</a></p></main>",
            Instant.now());

    ExtractedPage page = extractor.extract(fetched);

    assertThat(page.url()).isEqualTo("http://b.test/new/page.html");
    assertThat(page.links()).containsExactly("http://b.test/new/next.html");
    assertThat(page.text()).isEqualTo("Text next");
  }
}
