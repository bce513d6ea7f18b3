package ai.sophia.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.InvalidInputException;
import ai.sophia.web.ExtractedPage;
import ai.sophia.web.LocalWeb;
import ai.sophia.web.PageExtractor;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryReaderTest {
  @TempDir Path dir;
  private final DirectoryReader reader = DirectoryReader.create(PageExtractor.create(), 100_000);

  @BeforeEach
  void writeDocs() throws Exception {
    Files.writeString(dir.resolve("guide.html"), LocalWeb.resource("/docs/guide.html"));
    Files.createDirectories(dir.resolve("ops/runbooks"));
    Files.writeString(
        dir.resolve("ops/runbooks/restart.md"),
        "# Restarting the relay\n\nRun `systemctl restart heliograph` and watch the flush log.\n");
    Files.write(
        dir.resolve("ops/legacy.txt"),
        "Legacy notes\n\nThe old relay read its caf\u00e9 settings from INI files.\n"
            .getBytes(Charset.forName("windows-1252")));
    Files.writeString(
        dir.resolve("ops/runbooks/restart.old.markdown"),
        "# Restarting the relay\n\nRun `systemctl restart heliograph` and watch the flush log.\n");
    Files.write(dir.resolve("diagram.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    Files.writeString(dir.resolve("huge.txt"), "x".repeat(150_000));
    Files.writeString(dir.resolve("empty.htm"), "<html><body><nav>Home</nav></body></html>");
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve(".git/description.txt"), "Unnamed repository");
  }

  private List<ExtractedPage> pages = new ArrayList<>();

  private IngestReport read() {
    return reader.read(dir, pages::add, IngestProgress.none());
  }

  private String reasonFor(IngestReport report, String name) {
    return report.skipped().stream()
        .filter(s -> s.location().endsWith(name))
        .map(IngestReport.Skipped::reason)
        .findFirst()
        .orElse("(not skipped)");
  }

  @Test
  void read_folder_extractsHtmlMarkdownAndTextInPathOrder() {
    IngestReport report = read();

    assertThat(pages)
        .extracting(ExtractedPage::title)
        .containsExactly("Getting started with Heliograph", "Legacy notes", "Restarting the relay");
    assertThat(report.pagesRead()).isEqualTo(3);
    assertThat(report.complete()).isTrue();
  }

  @Test
  void read_folder_givesFileUrlsAndDecodesLegacyCharsets() {
    read();

    assertThat(pages.getFirst().url())
        .isEqualTo(dir.resolve("guide.html").toUri().toString())
        .startsWith("file:");
    assertThat(pages.get(1).text()).contains("caf\u00e9 settings");
    assertThat(pages.get(2).text()).contains("systemctl restart heliograph");
  }

  @Test
  void read_folder_skipsOtherFilesWithReasonsAndHiddenFoldersSilently() {
    IngestReport report = read();

    assertThat(reasonFor(report, "diagram.png")).isEqualTo("not HTML, Markdown or text");
    assertThat(reasonFor(report, "huge.txt")).contains("larger than 100000 bytes");
    assertThat(reasonFor(report, "empty.htm")).isEqualTo("no text");
    assertThat(reasonFor(report, "restart.old.markdown"))
        .contains("same content as")
        .contains("restart.md");
    assertThat(report.skipped()).noneMatch(s -> s.location().contains(".git"));
    assertThat(pages).noneMatch(p -> p.url().contains(".git"));
  }

  @Test
  void read_progress_reportsEachFileAndFinishes() {
    List<String> seen = new ArrayList<>();
    List<Integer> done = new ArrayList<>();

    reader.read(
        dir,
        page -> {},
        (d, queued, current) -> {
          seen.add(current);
          done.add(d);
        });

    assertThat(seen).contains(dir.resolve("guide.html").toString());
    assertThat(seen.getLast()).isEmpty();
    assertThat(done.getLast()).isEqualTo(3);
  }

  @Test
  void read_notADirectory_isInvalidInputNamingIt() {
    Path file = dir.resolve("guide.html");

    assertThatThrownBy(() -> reader.read(file, page -> {}, IngestProgress.none()))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("directory"))
        .hasMessageContaining("guide.html");
  }
}
