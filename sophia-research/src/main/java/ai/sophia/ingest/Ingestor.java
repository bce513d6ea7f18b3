package ai.sophia.ingest;

import ai.sophia.config.SophiaConfig;
import ai.sophia.embedding.Embedder;
import ai.sophia.error.InvalidInputException;
import ai.sophia.memory.Chunk;
import ai.sophia.memory.Document;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.DocumentStore;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.web.ExtractedPage;
import ai.sophia.web.PageExtractor;
import ai.sophia.web.SafeFetcher;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code sophia ingest}: reads a site (crawled within its URL prefix) or a folder, stores each page
 * in the document store and indexes its passages into the {@code documents} collection, which the
 * {@code local} search engine serves. A page whose content has not changed since the last ingest is
 * left as it is, so re-running an ingest is cheap. Passages are embedded and indexed in batches:
 * embedding dominates the cost, and one index commit per batch, not per page, keeps large ingests
 * fast.
 */
public final class Ingestor {
  private static final int BATCH_PASSAGES = 64;
  private static final long MAX_FILE_BYTES = 5_000_000;

  private final SophiaConfig config;
  private final PageExtractor extractor;
  private final Chunker chunker;
  private final Embedder embedder;
  private final DocumentIndex index;
  private final DocumentStore documents;
  private final Clock clock;

  private Ingestor(
      SophiaConfig config,
      PageExtractor extractor,
      Chunker chunker,
      Embedder embedder,
      DocumentIndex index,
      DocumentStore documents,
      Clock clock) {
    this.config = config;
    this.extractor = extractor;
    this.chunker = chunker;
    this.embedder = embedder;
    this.index = index;
    this.documents = documents;
    this.clock = clock;
  }

  public static Ingestor create(
      SophiaConfig config,
      PageExtractor extractor,
      Chunker chunker,
      Embedder embedder,
      DocumentIndex index,
      DocumentStore documents,
      Clock clock) {
    return new Ingestor(
        Objects.requireNonNull(config, "config"),
        Objects.requireNonNull(extractor, "extractor"),
        Objects.requireNonNull(chunker, "chunker"),
        Objects.requireNonNull(embedder, "embedder"),
        Objects.requireNonNull(index, "index"),
        Objects.requireNonNull(documents, "documents"),
        Objects.requireNonNull(clock, "clock"));
  }

  /** What an ingest did: the read report, and how many pages were new, changed or unchanged. */
  public record Result(IngestReport report, int stored, int unchanged, int passages, long millis) {}

  /**
   * Ingests {@code target}: an http(s) URL to crawl, or a directory. {@code allowPrivate} lets the
   * crawler reach private and loopback addresses (an intranet), which research never may.
   *
   * @throws InvalidInputException when the target is neither a URL nor an existing directory
   */
  public Result ingest(String target, boolean allowPrivate, IngestProgress progress) {
    return ingest(target, allowPrivate, config.ingest(), progress);
  }

  /**
   * {@link #ingest(String, boolean, IngestProgress)} with these crawl limits (page count, depth,
   * delay per host) instead of the configured ones.
   */
  public Result ingest(
      String target, boolean allowPrivate, SophiaConfig.Ingest limits, IngestProgress progress) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(progress, "progress");
    long start = System.nanoTime();
    Batch batch = new Batch(progress);
    IngestReport report;
    if (isUrl(target)) {
      SafeFetcher fetcher =
          SafeFetcher.builder(config.research().fetch()).allowPrivate(allowPrivate).build();
      Crawler crawler =
          Crawler.create(fetcher, extractor, limits, config.research().fetch().userAgent());
      report = crawler.crawl(target.strip(), batch::add, progress);
    } else {
      report =
          DirectoryReader.create(extractor, MAX_FILE_BYTES)
              .read(directory(target), batch::add, progress);
    }
    batch.flush();
    return new Result(
        report,
        batch.stored,
        batch.unchanged,
        batch.passages,
        (System.nanoTime() - start) / 1_000_000);
  }

  /** Ingested documents in URL order after {@code afterUrl} ("" for the first), at most limit. */
  public List<Document> documents(String afterUrl, int limit) {
    return documents.page(DocumentIndex.DOCUMENTS, afterUrl, limit);
  }

  /** How many documents have been ingested. */
  public long count() {
    return documents.count(DocumentIndex.DOCUMENTS);
  }

  /**
   * Removes an ingested document and its passages, so the {@code local} engine no longer finds it;
   * false when no document has this URL.
   */
  public boolean remove(String url) {
    Objects.requireNonNull(url, "url");
    // The stored page first: a crash in between leaves passages of an unknown page, which the
    // next ingest of that URL replaces; the other way round the page would look unchanged to the
    // next ingest and never get its passages back.
    boolean removed = documents.delete(DocumentIndex.DOCUMENTS, url);
    index.delete(DocumentIndex.DOCUMENTS, url);
    return removed;
  }

  /**
   * Checks, before any work starts, that {@code target} is an http(s) URL with a host or an
   * existing directory.
   *
   * @throws InvalidInputException naming what is wrong
   */
  public static void check(String target) {
    Objects.requireNonNull(target, "target");
    if (isUrl(target)) {
      java.net.URI uri;
      try {
        uri = new java.net.URI(target.strip());
      } catch (java.net.URISyntaxException e) {
        throw new InvalidInputException(
            "url", "'" + target + "' is not a valid URL: " + e.getReason());
      }
      if (uri.getHost() == null || uri.getHost().isBlank()) {
        throw new InvalidInputException("url", "'" + target + "' has no host");
      }
      return;
    }
    directory(target);
  }

  /** Whether {@code target} names a site to crawl (http or https) rather than a folder. */
  public static boolean isUrl(String target) {
    String lower = target.strip().toLowerCase(Locale.ROOT);
    return lower.startsWith("http://") || lower.startsWith("https://");
  }

  private static Path directory(String target) {
    Path path;
    try {
      path = Path.of(target.strip());
    } catch (InvalidPathException e) {
      throw new InvalidInputException(
          "target", "'" + target + "' is neither an http(s) URL nor a path");
    }
    if (!Files.isDirectory(path)) {
      throw new InvalidInputException(
          "target", "'" + target + "' is neither an http(s) URL nor an existing directory");
    }
    return path;
  }

  /** Pages waiting to be embedded and indexed together. */
  private final class Batch {
    private final IngestProgress progress;
    private final List<Chunk> pending = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();
    private int stored;
    private int unchanged;
    private int passages;

    Batch(IngestProgress progress) {
      this.progress = progress;
    }

    void add(ExtractedPage page) {
      addPage(page);
      progress.stored(stored, unchanged, passages + pending.size());
    }

    private void addPage(ExtractedPage page) {
      String url = page.canonicalUrl();
      String hash = ContentHash.of(page.text());
      if (documents
          .find(DocumentIndex.DOCUMENTS, url)
          .map(d -> d.contentHash().equals(hash))
          .orElse(false)) {
        unchanged++;
        return;
      }
      documents.upsert(
          new Document(
              url,
              DocumentIndex.DOCUMENTS,
              page.title(),
              page.text(),
              hash,
              page.publishedDate(),
              clock.instant()));
      stored++;
      for (Chunker.Passage p : chunker.chunk(page.title(), page.text())) {
        // The vector is filled in at flush, when the whole batch is embedded at once.
        pending.add(
            new Chunk(
                LuceneDocumentIndex.chunkId(url, p.position()),
                DocumentIndex.DOCUMENTS,
                url,
                page.title(),
                p.position(),
                p.text(),
                new float[0]));
        texts.add(p.embeddingText());
      }
      if (pending.size() >= BATCH_PASSAGES) {
        flush();
      }
    }

    void flush() {
      if (pending.isEmpty()) {
        return;
      }
      List<float[]> vectors = embedder.embedPassages(texts);
      List<Chunk> chunks = new ArrayList<>(pending.size());
      for (int i = 0; i < pending.size(); i++) {
        Chunk c = pending.get(i);
        chunks.add(
            new Chunk(
                c.id(),
                c.collection(),
                c.url(),
                c.title(),
                c.position(),
                c.text(),
                vectors.get(i)));
      }
      index.replace(chunks);
      passages += chunks.size();
      pending.clear();
      texts.clear();
    }
  }
}
