package ai.sophia.research;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.ingest.IngestProgress;
import ai.sophia.ingest.Ingestor;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.model.ScriptedModelGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Research end to end on loopback: a SearXNG-format search server whose results point into a small
 * real web site, the real SSRF-safe fetcher (loopback opened by the operator allow-list), real
 * extraction, SQLite, Lucene and the ONNX embedding model.
 */
class ResearchServiceTest {
  private static LoopbackResearch world;

  @TempDir Path dataDir;
  private LoopbackResearch.Stack stack;
  private ResearchService research;
  private Ingestor ingestor;

  @BeforeAll
  static void startWeb() {
    world = LoopbackResearch.start();
  }

  @AfterAll
  static void stopWeb() {
    world.close();
  }

  private void open() {
    stack = world.open(dataDir, ScriptedModelGateway.create().available(false));
    research = stack.research();
    ingestor = stack.ingestor();
  }

  @AfterEach
  void close() {
    if (stack != null) {
      stack.close();
      stack = null;
    }
    world.searchResults(List.of());
  }

  private static ResearchRequest request(String query, int sources, String engine) {
    return ResearchRequests.validate(query, sources, engine, "duckduckgo");
  }

  @Test
  void research_webResults_citesOnlySourcesThatWereFetched() {
    open();
    world.searchResults(
        List.of(
            world.url("/docs/guide.html"),
            world.url("/docs/install.html"),
            world.url("/docs/challenge.html"),
            world.url("/docs/logo.png"),
            "http://10.0.0.1/secret",
            world.url("/docs/configuration.html")));
    List<String> stages = new ArrayList<>();
    ResearchResult r =
        research.research(
            request("How do I install Heliograph?", 3, "searxng"),
            (stage, done, total) -> stages.add(stage));

    assertThat(r.sources()).hasSizeBetween(1, 3);
    List<String> fetchable =
        List.of(
            world.url("/docs/guide.html"),
            world.url("/docs/install.html"),
            world.url("/docs/configuration.html"));
    assertThat(r.sources())
        .allSatisfy(
            s -> {
              assertThat(s.url()).isIn(fetchable);
              assertThat(s.relevanceScore()).isBetween(0.0, 1.0);
              assertThat(s.summary()).isNotBlank();
            });
    assertThat(r.sources())
        .extracting(ResearchResult.Source::url)
        .contains(world.url("/docs/install.html"));
    assertThat(r.answer()).isNotBlank();
    Matcher m = Pattern.compile("\\[(\\d+)]").matcher(r.answer());
    while (m.find()) {
      int n = Integer.parseInt(m.group(1));
      assertThat(n).isBetween(1, r.sources().size());
    }
    assertThat(r.citations())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.url()).isEqualTo(r.sources().get(c.index() - 1).url()));
    assertThat(r.metadata().sourcesSkipped())
        .anyMatch(s -> s.contains("10.0.0.1"))
        .anyMatch(s -> s.contains("challenge.html"));
    assertThat(r.metadata().mode()).isEqualTo("extractive");
    assertThat(r.metadata().searchEngine()).isEqualTo("searxng");
    assertThat(r.researchQualityScore()).isBetween(0.01, 1.0);
    assertThat(stages).contains("searching", "fetching", "ranking", "summarizing");
    assertThat(r.metadata().timingsMs())
        .containsKeys("search", "fetch", "rank", "summarize", "total");
  }

  @Test
  void research_resultsNotUsed_areEachListedInSourcesSkippedWithTheReason() {
    open();
    List<String> readable =
        List.of(
            world.url("/docs/install.html"),
            world.url("/docs/faq.html"),
            world.url("/docs/configuration.html"));
    List<String> results = new ArrayList<>(List.of("ftp://files.example/heliograph.txt", "no url"));
    results.addAll(readable);
    world.searchResults(results);

    ResearchResult r =
        research.research(
            request("How do I install Heliograph?", 1, "searxng"), (stage, done, total) -> {});

    assertThat(r.sources()).hasSize(1);
    List<String> skipped = r.metadata().sourcesSkipped();
    assertThat(skipped)
        .anyMatch(s -> s.startsWith("ftp://files.example/heliograph.txt: ") && s.contains("http"))
        .anyMatch(s -> s.startsWith("no url: "));
    for (String url : readable) {
      if (!url.equals(r.sources().getFirst().url())) {
        assertThat(skipped).anyMatch(s -> s.startsWith(url + ": ") && s.contains("relevant"));
      }
    }
  }

  @Test
  void research_engineBlocked_fallsBackAndSaysWhichServed() {
    open();
    world.searchResults(List.of(world.url("/docs/faq.html")));
    ResearchResult r =
        research.research(
            request("Heliograph frequently asked questions", 2, "duckduckgo"),
            ResearchProgress.none());
    assertThat(r.metadata().requestedEngine()).isEqualTo("duckduckgo");
    assertThat(r.metadata().searchEngine()).isEqualTo("searxng");
    assertThat(r.metadata().enginesTried())
        .first()
        .satisfies(
            a -> {
              assertThat(a.engine()).isEqualTo("duckduckgo");
              assertThat(a.outcome()).isEqualTo("blocked");
            });
  }

  @Test
  void research_noSourcesFound_abstainsWithoutAnswer() {
    open();
    ResearchResult r =
        research.research(request("anything at all", 3, "searxng"), ResearchProgress.none());
    assertThat(r.sources()).isEmpty();
    assertThat(r.answer()).isNull();
    assertThat(r.citations()).isEmpty();
    assertThat(r.researchQualityScore()).isZero();
    assertThat(r.metadata().note()).contains("does not answer without sources");
  }

  @Test
  void research_localEngineAfterIngest_answersFromIngestedFiles() throws Exception {
    open();
    Path docs = Files.createDirectories(dataDir.resolve("corpus"));
    Files.writeString(
        docs.resolve("tides.md"),
        "# Tides\n\nTides are the rise and fall of sea levels caused by "
            + "the gravitational forces of the Moon and the Sun acting on the oceans of the Earth. Spring tides "
            + "happen when the Sun and Moon line up, which makes the range between high and low water largest.\n");
    Files.writeString(
        docs.resolve("bread.md"),
        "# Baking bread\n\nBread dough rises because yeast ferments "
            + "sugars and releases carbon dioxide gas that is trapped by the gluten network in the flour. "
            + "Kneading develops gluten so the loaf can hold more gas and bake with an open crumb.\n");
    Ingestor.Result ingested = ingestor.ingest(docs.toString(), false, IngestProgress.none());
    assertThat(ingested.stored()).isEqualTo(2);

    ResearchResult r =
        research.research(
            request("why does the moon cause tides", 1, "local"), ResearchProgress.none());
    assertThat(r.metadata().searchEngine()).isEqualTo("local");
    assertThat(r.sources())
        .singleElement()
        .satisfies(s -> assertThat(s.url()).endsWith("tides.md"));
    assertThat(r.answer()).contains("gravitational").contains("[1]");

    Ingestor.Result again = ingestor.ingest(docs.toString(), false, IngestProgress.none());
    assertThat(again.unchanged()).isEqualTo(2);
    assertThat(again.stored()).isZero();
  }

  @Test
  void research_noSourceClearlyAnswers_abstainsWithPlainNote() throws Exception {
    open();
    Path docs = Files.createDirectories(dataDir.resolve("corpus"));
    Files.writeString(
        docs.resolve("bread.md"),
        "# Baking bread\n\nBread dough rises because yeast ferments "
            + "sugars and releases carbon dioxide gas that is trapped by the gluten network in the flour. "
            + "Kneading develops gluten so the loaf can hold more gas and bake with an open crumb.\n");
    ingestor.ingest(docs.toString(), false, IngestProgress.none());

    ResearchResult r =
        research.research(
            request("how do I stop a database query that runs too long", 3, "local"),
            ResearchProgress.none());

    assertThat(r.sources()).isNotEmpty();
    assertThat(r.sources()).allSatisfy(s -> assertThat(s.summary()).isNotBlank());
    assertThat(r.answer()).isNull();
    assertThat(r.citations()).isEmpty();
    assertThat(r.researchQualityScore()).isLessThan(QualityScore.ANSWER_BELOW);
    assertThat(r.metadata().confidence()).isEqualTo("low");
    assertThat(r.metadata().note()).startsWith("None of the sources clearly answers the question");
  }

  @Test
  void research_afterRestart_resultAndMemoryAreStillThere() {
    open();
    world.searchResults(List.of(world.url("/docs/configuration.html")));
    ResearchResult r =
        research.research(
            request("How is Heliograph configured?", 1, "searxng"), ResearchProgress.none());
    close();
    open();
    assertThat(research.find(r.id()))
        .get()
        .satisfies(
            found -> {
              assertThat(found.answer()).isEqualTo(r.answer());
              assertThat(found.sources()).isEqualTo(r.sources());
            });
    assertThat(research.searchMemory("heliograph configuration file", 5))
        .anySatisfy(
            h -> {
              assertThat(h.url()).isEqualTo(world.url("/docs/configuration.html"));
              assertThat(h.collection()).isEqualTo(DocumentIndex.RESEARCH_DATA);
            });
    assertThat(research.find("res_doesnotexist")).isEmpty();
    assertThat(research.history("HELIOGRAPH", 10))
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.id()).isEqualTo(r.id());
              assertThat(h.query()).isEqualTo("How is Heliograph configured?");
              assertThat(h.confidence()).isEqualTo(r.metadata().confidence()).isNotEmpty();
              assertThat(h.qualityScore()).isEqualTo(r.researchQualityScore());
              assertThat(h.searchEngine()).isEqualTo("searxng");
            });
    assertThat(research.history("no such question", 10)).isEmpty();
  }
}
