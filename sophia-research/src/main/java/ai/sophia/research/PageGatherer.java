package ai.sophia.research;

import ai.sophia.cache.SharedCache;
import ai.sophia.embedding.Embedder;
import ai.sophia.ingest.Chunker;
import ai.sophia.ingest.ContentHash;
import ai.sophia.memory.Chunk;
import ai.sophia.memory.Document;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.DocumentStore;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.search.SearchHit;
import ai.sophia.tracing.TraceSpan;
import ai.sophia.tracing.Traces;
import ai.sophia.web.FetchException;
import ai.sophia.web.FetchedPage;
import ai.sophia.web.PageExtractor;
import ai.sophia.web.SafeFetcher;
import com.github.benmanes.caffeine.cache.Cache;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The fetching stage of research: turns search hits into readable pages, in parallel on virtual
 * threads, at most {@code maxParallel} at a time. Web pages come from the page cache, then from
 * memory (a page researched within the cache TTL, already in this node's index), then from the
 * pages other nodes share ({@link SharedCache}, Redis), then from the SSRF-safe fetcher; each page
 * newly fetched or read from the shared level is stored and its passages indexed into {@code
 * research_data}, which is what makes it searchable later. Local hits are read from the ingested
 * documents, never fetched. Pages are deduplicated by final URL and by content.
 *
 * <p>A shared page passed the address check of the node that fetched it, not necessarily this
 * node's (other {@code allowed_private_ranges}, another resolver): it is used only when the hit's
 * URL and every URL its fetch requested pass this node's {@link SafeFetcher#check}; otherwise this
 * node fetches the page itself and its own fetcher decides.
 */
final class PageGatherer {
  private static final Logger LOG = LoggerFactory.getLogger(PageGatherer.class);
  private static final int MIN_TEXT_CHARS = 200;
  static final int MAX_PASSAGES_PER_PAGE = 16;

  private final SafeFetcher fetcher;
  private final PageExtractor extractor;
  private final Chunker chunker;
  private final Embedder embedder;
  private final DocumentIndex index;
  private final DocumentStore documents;
  private final Cache<String, SourcePage> pageCache;
  private final SharedCache<SharedPage> sharedPages;
  private final Duration freshness;
  private final int maxParallel;
  private final Clock clock;

  PageGatherer(
      SafeFetcher fetcher,
      PageExtractor extractor,
      Chunker chunker,
      Embedder embedder,
      DocumentIndex index,
      DocumentStore documents,
      Cache<String, SourcePage> pageCache,
      SharedCache<SharedPage> sharedPages,
      Duration freshness,
      int maxParallel,
      Clock clock) {
    this.fetcher = fetcher;
    this.extractor = extractor;
    this.chunker = chunker;
    this.embedder = embedder;
    this.index = index;
    this.documents = documents;
    this.pageCache = pageCache;
    this.sharedPages = sharedPages;
    this.freshness = freshness;
    this.maxParallel = maxParallel;
    this.clock = clock;
  }

  /** Pages gathered and the reasons other hits were dropped. */
  record Gathered(List<SourcePage> pages, List<String> skipped) {}

  Gathered gather(List<SearchHit> hits, ResearchProgress progress) {
    Semaphore permits = new Semaphore(maxParallel);
    AtomicInteger done = new AtomicInteger();
    Map<String, String> mdc = MDC.getCopyOfContextMap();
    List<Future<SourcePage>> futures = new ArrayList<>();
    progress.update("fetching", 0, hits.size());
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (SearchHit hit : hits) {
        futures.add(
            executor.submit(
                Traces.wrapCallable(
                    () -> {
                      if (mdc != null) {
                        MDC.setContextMap(mdc);
                      }
                      permits.acquire();
                      try (TraceSpan span = Traces.span("research.fetch_page")) {
                        span.set("url.full", hit.url());
                        return read(hit);
                      } finally {
                        permits.release();
                        progress.update("fetching", done.incrementAndGet(), hits.size());
                        MDC.clear();
                      }
                    })));
      }
      List<SourcePage> pages = new ArrayList<>();
      List<String> skipped = new ArrayList<>();
      Map<String, Boolean> seenUrls = new LinkedHashMap<>();
      Map<String, Boolean> seenContent = new LinkedHashMap<>();
      for (int i = 0; i < futures.size(); i++) {
        String url = hits.get(i).url();
        try {
          SourcePage page = futures.get(i).get();
          if (seenUrls.putIfAbsent(page.url(), true) != null
              || seenContent.putIfAbsent(page.contentHash(), true) != null) {
            skipped.add(url + ": duplicate of an earlier source");
          } else if (page.text().length() < MIN_TEXT_CHARS) {
            skipped.add(url + ": too little readable text");
          } else {
            pages.add(page);
          }
        } catch (ExecutionException e) {
          String reason =
              e.getCause() instanceof FetchException f ? f.getMessage() : describe(e.getCause());
          skipped.add(url + ": " + reason);
          LOG.info("source skipped: {}", reason);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ai.sophia.error.UnavailableException("research interrupted", e);
        }
      }
      return new Gathered(pages, skipped);
    }
  }

  private SourcePage read(SearchHit hit) {
    if ("local".equals(hit.provider())) {
      Document doc =
          documents
              .find(DocumentIndex.DOCUMENTS, hit.url())
              .orElseThrow(
                  () ->
                      new FetchException(
                          FetchException.Reason.IO_ERROR,
                          hit.url() + " is in the index but not in the document store"));
      return new SourcePage(
          doc.url(),
          doc.title(),
          doc.text(),
          doc.publishedDate(),
          "local",
          hit.rank(),
          doc.contentHash(),
          DocumentIndex.DOCUMENTS);
    }
    SourcePage cached = pageCache.getIfPresent(hit.url());
    if (cached != null) {
      return withHit(cached, hit);
    }
    Optional<Document> remembered =
        documents
            .find(DocumentIndex.RESEARCH_DATA, hit.url())
            .filter(d -> d.fetchedAt().plus(freshness).isAfter(clock.instant()));
    if (remembered.isPresent()) {
      Document d = remembered.get();
      SourcePage page =
          new SourcePage(
              d.url(),
              d.title(),
              d.text(),
              d.publishedDate(),
              hit.provider(),
              hit.rank(),
              d.contentHash(),
              DocumentIndex.RESEARCH_DATA);
      pageCache.put(hit.url(), page);
      return page;
    }
    SharedPage shared = fromOtherNodes(hit).orElseGet(() -> fetch(hit));
    String title = shared.title().isBlank() ? hit.title() : shared.title();
    SourcePage page =
        new SourcePage(
            shared.url(),
            title,
            shared.text(),
            shared.publishedDate(),
            hit.provider(),
            hit.rank(),
            ContentHash.of(shared.text()),
            DocumentIndex.RESEARCH_DATA);
    remember(page);
    pageCache.put(hit.url(), page);
    return page;
  }

  /** Fetches and extracts the hit here, and offers the page to the other nodes. */
  private SharedPage fetch(SearchHit hit) {
    FetchedPage fetched = fetcher.fetch(URI.create(hit.url()));
    SharedPage page = SharedPage.of(fetched, extractor.extract(fetched));
    sharedPages.put(hit.url(), page);
    return page;
  }

  /** The page another node fetched for this URL, if this node's address rules allow it too. */
  private Optional<SharedPage> fromOtherNodes(SearchHit hit) {
    Optional<SharedPage> shared = sharedPages.get(hit.url());
    if (shared.isPresent()) {
      try {
        fetcher.check(hit.url());
        shared.get().hops().forEach(fetcher::check);
      } catch (FetchException e) {
        LOG.info("not using the shared copy of a page: {}", e.getMessage());
        return Optional.empty();
      }
    }
    return shared;
  }

  /**
   * Stores a fetched page and indexes its passages, so memory search and later research find it.
   */
  private void remember(SourcePage page) {
    if (page.text().length() < MIN_TEXT_CHARS) {
      return;
    }
    documents.upsert(
        new Document(
            page.url(),
            DocumentIndex.RESEARCH_DATA,
            page.title(),
            page.text(),
            page.contentHash(),
            page.publishedDate(),
            clock.instant()));
    List<Chunker.Passage> passages = chunker.chunk(page.title(), page.text());
    // Embedding is research's largest cost; a very long page is ranked on its opening passages
    // (its full text is still stored, and quoted from).
    passages = passages.subList(0, Math.min(MAX_PASSAGES_PER_PAGE, passages.size()));
    List<float[]> vectors =
        embedder.embedPassages(passages.stream().map(Chunker.Passage::embeddingText).toList());
    List<Chunk> chunks = new ArrayList<>(passages.size());
    for (int i = 0; i < passages.size(); i++) {
      Chunker.Passage p = passages.get(i);
      chunks.add(
          new Chunk(
              LuceneDocumentIndex.chunkId(page.url(), p.position()),
              DocumentIndex.RESEARCH_DATA,
              page.url(),
              page.title(),
              p.position(),
              p.text(),
              vectors.get(i)));
    }
    index.replace(chunks);
  }

  private static SourcePage withHit(SourcePage page, SearchHit hit) {
    return new SourcePage(
        page.url(),
        page.title(),
        page.text(),
        page.publishedDate(),
        hit.provider(),
        hit.rank(),
        page.contentHash(),
        page.collection());
  }

  private static String describe(Throwable t) {
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
