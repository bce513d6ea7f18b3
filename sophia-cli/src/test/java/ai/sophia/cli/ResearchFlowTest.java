package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI end to end over the real stack, offline: ingest a folder, research it with the {@code
 * local} engine, search memory. Real SQLite, Lucene and embedding model.
 */
class ResearchFlowTest {
  @TempDir Path dir;

  private void writeDocs(Path docs) throws Exception {
    Files.createDirectories(docs);
    Files.writeString(
        docs.resolve("rust.md"),
        "# Rust ownership\n\nRust manages memory through ownership instead of a garbage collector."
            + " Each value has one owner and is dropped when its owner goes out of scope."
            + " Borrowing lets code use a value without taking ownership of it.\n");
    Files.writeString(
        docs.resolve("tea.md"),
        "# Green tea\n\nGreen tea is brewed at about eighty degrees Celsius for two minutes."
            + " Boiling water makes green tea bitter.\n");
  }

  @Test
  void ingestThenResearch_localEngine_citedAnswerOnStdoutProgressOnStderr() throws Exception {
    Path docs = dir.resolve("docs");
    writeDocs(docs);
    String data = dir.resolve("data").toString();

    CliRun ingest = CliRun.of("--data-dir", data, "ingest", docs.toString());
    CliRun research =
        CliRun.of(
            "--data-dir", data, "research", "how does rust manage memory", "--engine", "local");
    CliRun json =
        CliRun.of(
            "--data-dir",
            data,
            "research",
            "rust ownership",
            "--engine",
            "local",
            "--sources",
            "1",
            "--json");
    CliRun memory =
        CliRun.of("--data-dir", data, "memory", "search", "brewing tea", "--limit", "1", "--json");

    assertThat(ingest.exitCode()).as(ingest.err()).isZero();
    assertThat(ingest.out()).startsWith("Ingested " + docs + ": 2 pages read (2 new or changed");
    assertThat(ingest.err()).contains("ingesting [");

    assertThat(research.exitCode()).as(research.err()).isZero();
    assertThat(research.out())
        .contains("[1]")
        .contains("Sources:\n  [1] Rust ownership\n      " + docs.resolve("rust.md").toUri())
        .containsPattern(
            "engine local · mode extractive · quality \\d\\.\\d\\d \\((high|medium|low) confidence\\)"
                + " · id \\S+");
    assertThat(research.err())
        .contains("searching…")
        .contains("ranking…")
        .doesNotContain("sophia:");

    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonNode result = new ObjectMapper().readTree(json.out());
    assertThat(result.get("sources")).hasSize(1);
    assertThat(result.get("sources").get(0).get("url").asText()).endsWith("rust.md");
    assertThat(result.get("metadata").get("search_engine").asText()).isEqualTo("local");
    assertThat(result.get("research_quality_score").asDouble()).isBetween(0.0, 1.0);

    assertThat(memory.exitCode()).as(memory.err()).isZero();
    JsonNode hits = new ObjectMapper().readTree(memory.out());
    assertThat(hits.get("query").asText()).isEqualTo("brewing tea");
    assertThat(hits.get("results")).hasSize(1);
    assertThat(hits.get("results").get(0).get("url").asText()).endsWith("tea.md");
  }

  @Test
  void ingest_crawlThatReadNothing_exit1SayingWhy() {
    // Nothing listens on port 1: robots.txt is unreachable, so no page may be read.
    CliRun run =
        CliRun.of(
            "--data-dir",
            dir.resolve("data").toString(),
            "ingest",
            "http://127.0.0.1:1/docs/",
            "--allow-private");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.out()).contains("0 pages read").contains("robots.txt unreachable");
    assertThat(run.err())
        .contains("\nsophia: nothing was ingested from http://127.0.0.1:1/docs/: ")
        .contains("robots.txt unreachable");
  }

  @Test
  void ingest_againUnchanged_exit0() throws Exception {
    Path docs = dir.resolve("docs");
    writeDocs(docs);
    String data = dir.resolve("data").toString();

    CliRun first = CliRun.of("--data-dir", data, "ingest", docs.toString());
    CliRun again = CliRun.of("--data-dir", data, "ingest", docs.toString());

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.out()).contains("2 pages read (0 new or changed, 2 unchanged)");
  }

  @Test
  void ingest_neitherUrlNorDirectory_exit2NamingIt() {
    CliRun run =
        CliRun.of("--data-dir", dir.toString(), "ingest", dir.resolve("missing").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("sophia: ").contains("missing").contains("neither");
  }

  @Test
  void ingest_zeroMaxPages_exit2() {
    CliRun run =
        CliRun.of("--data-dir", dir.toString(), "ingest", dir.toString(), "--max-pages", "0");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("sophia: --max-pages must be at least 1\n");
  }
}
