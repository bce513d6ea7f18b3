package ai.sophia.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/** Reads the HTML pages of one directory (not recursive) into title and readable text. */
final class HtmlPages {
  private HtmlPages() {}

  /** A page of the corpus: {@code url} is its file URI, {@code name} its file name. */
  record Page(String url, String name, String title, String text) {}

  static List<Page> read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new BenchException("--docs: " + dir + " is not a directory");
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".html")).sorted().toList();
    } catch (IOException e) {
      throw new BenchException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    List<Page> pages = new ArrayList<>(files.size());
    for (Path file : files) {
      pages.add(read(file, dir));
    }
    return pages;
  }

  private static Page read(Path file, Path dir) {
    Document doc;
    try {
      doc = Jsoup.parse(file.toFile(), "UTF-8", dir.toUri().toString());
    } catch (IOException e) {
      throw new BenchException("cannot read " + file + ": " + e.getMessage(), e);
    }
    // Navigation and scripts are the same on every page; they only blur what a page is about.
    doc.select("script, style, nav, header, footer, .navheader, .navfooter").remove();
    String text = doc.body() == null ? "" : doc.body().text();
    return new Page(file.toUri().toString(), file.getFileName().toString(), doc.title(), text);
  }
}
