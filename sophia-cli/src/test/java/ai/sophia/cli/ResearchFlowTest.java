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

  /**
   * A running server holds the index; the CLI beside it on the same data directory goes through the
   * server's API (with the key it leaves for the CLI) instead of refusing, and works alone again
   * once the server has stopped.
   */
  @Test
  void besideARunningServer_ingestResearchAndMemoryGoThroughItsApi() throws Exception {
    Path docs = dir.resolve("docs");
    writeDocs(docs);
    Path data = dir.resolve("data");
    var config =
        ai.sophia.config.ConfigLoader.create(
                java.util.Map.of("SOPHIA_DATA_DIR", data.toString(), "SOPHIA_SERVER_PORT", "0"))
            .load(java.util.Optional.empty());
    CliRun ingest;
    CliRun research;
    CliRun memory;
    CliRun badInput;
    try (ai.sophia.server.Sophia sophia =
        ai.sophia.server.Sophia.open(config, java.util.Map.of())) {
      sophia.serve(new java.io.PrintWriter(java.io.Writer.nullWriter()));
      assertThat(data.resolve("server.json")).exists();
      assertThat(java.nio.file.Files.getPosixFilePermissions(data.resolve("server.json")))
          .containsExactlyInAnyOrder(
              java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

      ingest = CliRun.of("--data-dir", data.toString(), "ingest", docs.toString());
      research =
          CliRun.of(
              "--data-dir",
              data.toString(),
              "research",
              "how does rust manage memory",
              "--engine",
              "local");
      memory =
          CliRun.of(
              "--data-dir", data.toString(), "memory", "search", "brewing tea", "--limit", "1");
      badInput = CliRun.of("--data-dir", data.toString(), "ingest", "https:///nohost");
    }

    assertThat(ingest.exitCode()).as(ingest.err()).isZero();
    assertThat(ingest.err()).contains("runs on the server at http://127.0.0.1:");
    assertThat(ingest.out()).startsWith("Ingested " + docs + ": 2 pages read (2 new or changed");
    assertThat(research.exitCode()).as(research.err()).isZero();
    assertThat(research.out()).contains("Sources:\n  [1] Rust ownership");
    assertThat(research.err()).contains("searching…").doesNotContain("sophia:");
    assertThat(memory.exitCode()).as(memory.err()).isZero();
    assertThat(memory.out()).contains("Green tea").contains("tea.md");
    // The server's 400 is the CLI's usage error, with the server's words.
    assertThat(badInput.exitCode()).isEqualTo(2);
    assertThat(badInput.err()).contains("has no host");

    // Stopped: the file is gone, its key revoked, and the CLI opens the data directory itself.
    assertThat(data.resolve("server.json")).doesNotExist();
    CliRun keys = CliRun.of("--data-dir", data.toString(), "keys", "list");
    assertThat(keys.out().lines().filter(l -> l.contains("local CLI (sophia serve)")))
        .singleElement()
        .satisfies(line -> assertThat(line).doesNotEndWith("-"));
    CliRun alone =
        CliRun.of(
            "--data-dir", data.toString(), "memory", "search", "rust ownership", "--limit", "1");
    assertThat(alone.exitCode()).as(alone.err()).isZero();
    assertThat(alone.out()).contains("rust.md");
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
