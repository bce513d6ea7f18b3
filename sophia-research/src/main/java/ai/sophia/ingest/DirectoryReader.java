package ai.sophia.ingest;

import ai.sophia.error.InvalidInputException;
import ai.sophia.web.ExtractedPage;
import ai.sophia.web.PageExtractor;
import ai.sophia.web.TextDecoder;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Reads a folder of documents for {@code sophia ingest <directory>}: HTML ({@code .html, .htm}),
 * Markdown ({@code .md, .markdown}) and text ({@code .txt}) files, in path order, each extracted
 * and handed over with its {@code file://} URL. Other files, unreadable files, files over the size
 * limit and duplicates by content are reported as skipped; hidden files and folders (such as {@code
 * .git}) are not visited.
 */
public final class DirectoryReader {
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html",
          "htm", "text/html",
          "md", "text/markdown",
          "markdown", "text/markdown",
          "txt", "text/plain");

  private final PageExtractor extractor;
  private final long maxFileBytes;

  private DirectoryReader(PageExtractor extractor, long maxFileBytes) {
    this.extractor = extractor;
    this.maxFileBytes = maxFileBytes;
  }

  /** A reader that skips files larger than {@code maxFileBytes}. */
  public static DirectoryReader create(PageExtractor extractor, long maxFileBytes) {
    return new DirectoryReader(Objects.requireNonNull(extractor, "extractor"), maxFileBytes);
  }

  /**
   * Reads every supported file under {@code directory}, handing each page to {@code pages}.
   *
   * @throws InvalidInputException when {@code directory} is not a readable directory
   */
  public IngestReport read(Path directory, Consumer<ExtractedPage> pages, IngestProgress progress) {
    Objects.requireNonNull(pages, "pages");
    Objects.requireNonNull(progress, "progress");
    Path root = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
    if (!Files.isDirectory(root) || !Files.isReadable(root)) {
      throw new InvalidInputException("directory", root + " is not a readable directory");
    }
    List<IngestReport.Skipped> skipped = new ArrayList<>();
    List<Path> files = list(root, skipped);
    Map<String, String> seenContent = new HashMap<>();
    int done = 0;
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      progress.update(done, files.size() - i - 1, file.toString());
      String type = TYPES.get(extension(file));
      if (type == null) {
        skipped.add(new IngestReport.Skipped(file.toString(), "not HTML, Markdown or text"));
        continue;
      }
      try {
        long size = Files.size(file);
        if (size > maxFileBytes) {
          skipped.add(
              new IngestReport.Skipped(file.toString(), "larger than " + maxFileBytes + " bytes"));
          continue;
        }
        String text = TextDecoder.decode(Files.readAllBytes(file), "");
        ExtractedPage page = extractor.extract(file.toUri().toString(), text, type);
        if (page.text().isBlank()) {
          skipped.add(new IngestReport.Skipped(file.toString(), "no text"));
          continue;
        }
        String earlier = seenContent.putIfAbsent(ContentHash.of(page.text()), file.toString());
        if (earlier != null) {
          skipped.add(new IngestReport.Skipped(file.toString(), "same content as " + earlier));
          continue;
        }
        pages.accept(page);
        done++;
      } catch (IOException e) {
        skipped.add(new IngestReport.Skipped(file.toString(), "unreadable: " + e.getMessage()));
      }
    }
    progress.update(done, 0, "");
    return new IngestReport(done, skipped, true);
  }

  private static List<Path> list(Path root, List<IngestReport.Skipped> skipped) {
    List<Path> files = new ArrayList<>();
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              return !dir.equals(root) && hidden(dir)
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isRegularFile() && !hidden(file)) {
                files.add(file);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              skipped.add(
                  new IngestReport.Skipped(file.toString(), "unreadable: " + e.getMessage()));
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      skipped.add(new IngestReport.Skipped(root.toString(), "unreadable: " + e.getMessage()));
    }
    files.sort(null);
    return files;
  }

  private static boolean hidden(Path path) {
    Path name = path.getFileName();
    return name != null && name.toString().startsWith(".");
  }

  private static String extension(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
