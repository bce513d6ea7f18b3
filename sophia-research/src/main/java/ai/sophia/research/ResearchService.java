package ai.sophia.research;

import ai.sophia.cache.CacheRegistry;
import ai.sophia.cache.SharedCache;
import ai.sophia.config.SophiaConfig;
import ai.sophia.embedding.Embedder;
import ai.sophia.ingest.Chunker;
import ai.sophia.memory.ChunkHit;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.DocumentStore;
import ai.sophia.memory.OperationsStore;
import ai.sophia.memory.PerformanceMetric;
import ai.sophia.memory.ResearchRecord;
import ai.sophia.memory.ResearchStore;
import ai.sophia.memory.TaskExecution;
import ai.sophia.model.CallContext;
import ai.sophia.model.ModelGateway;
import ai.sophia.search.SearchRouter;
import ai.sophia.tracing.TraceSpan;
import ai.sophia.tracing.Traces;
import ai.sophia.web.PageExtractor;
import ai.sophia.web.SafeFetcher;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Research, end to end: search (with fallback across engines) → gather pages → rank their passages
 * (hybrid BM25 + embeddings) → choose diverse sources → write summaries and a cited answer → score
 * → store. Every [n] in an answer points at a page that was actually read.
 */
public final class ResearchService implements Researcher {
  private static final Logger LOG = LoggerFactory.getLogger(ResearchService.class);

  private static final int MAX_CANDIDATES = 30;

  /** About 30 MB of 384-dimension vectors. */
  private static final int SENTENCE_CACHE_ENTRIES = 20_000;

  private final SearchRouter router;
  private final PageGatherer gatherer;
  private final Embedder embedder;
  private final DocumentIndex index;
  private final SourceRanker ranker;
  private final ResearchStore store;
  private final OperationsStore operations;
  private final AnswerWriter writer;
  private final ObjectMapper json;
  private final Clock clock;
  private final AtomicInteger inFlight = new AtomicInteger();

  ResearchService(
      SearchRouter router,
      PageGatherer gatherer,
      Embedder embedder,
      DocumentIndex index,
      ResearchStore store,
      OperationsStore operations,
      AnswerWriter writer,
      ObjectMapper json,
      Clock clock) {
    this.router = router;
    this.operations = operations;
    this.gatherer = gatherer;
    this.embedder = embedder;
    this.index = index;
    this.ranker = new SourceRanker(index);
    this.store = store;
    this.writer = writer;
    this.json = json;
    this.clock = clock;
  }

  /**
   * Wires research from its parts: {@code router} already holds every search provider (the {@code
   * local} one included), pages come through {@code fetcher} and are remembered in {@code
   * documents} and {@code index} (and offered to other nodes through {@code sharedPages}, read from
   * there when another node fetched them), results are kept in {@code store}. Answers are written
   * by a model of {@code gateway}'s default policy when one is available, extractively otherwise.
   */
  public static ResearchService create(
      SophiaConfig config,
      SearchRouter router,
      SafeFetcher fetcher,
      SharedCache<SharedPage> sharedPages,
      PageExtractor extractor,
      Chunker chunker,
      Embedder embedder,
      DocumentIndex index,
      DocumentStore documents,
      ResearchStore store,
      OperationsStore operations,
      ModelGateway gateway,
      CacheRegistry caches,
      ObjectMapper json,
      Clock clock) {
    Duration ttl = Duration.ofMinutes(config.cache().ttlMinutes());
    Cache<String, SourcePage> pages = caches.create("pages", config.cache().pageMaxEntries(), ttl);
    PageGatherer gatherer =
        new PageGatherer(
            fetcher,
            extractor,
            chunker,
            embedder,
            index,
            documents,
            pages,
            Objects.requireNonNull(sharedPages, "sharedPages"),
            ttl,
            config.research().maxParallelFetches(),
            clock);
    return new ResearchService(
        router,
        gatherer,
        embedder,
        index,
        store,
        operations,
        new ModelAnswerWriter(
            Objects.requireNonNull(gateway, "gateway"),
            new ExtractiveAnswerWriter(
                embedder, caches.create("sentence_embeddings", SENTENCE_CACHE_ENTRIES, ttl)),
            json),
        json,
        clock);
  }

  /** Research requests being worked on right now. */
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public ResearchResult research(ResearchRequest request, ResearchProgress progress) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(progress, "progress");
    inFlight.incrementAndGet();
    Instant started = clock.instant();
    try (TraceSpan span = Traces.span("research")) {
      span.set("sophia.research.engine_requested", request.searchEngine())
          .set("sophia.research.sources_limit", request.sourcesLimit());
      ResearchResult result = run(request, progress, span);
      span.set("sophia.research.id", result.id())
          .set("sophia.research.engine", result.metadata().searchEngine())
          .set("sophia.research.sources", result.sources().size())
          .set("sophia.research.mode", result.metadata().mode())
          .set("sophia.research.quality", result.researchQualityScore());
      record(result, started);
      return result;
    } catch (RuntimeException e) {
      String id = "res_failed_" + UUID.randomUUID().toString().substring(0, 8);
      operations.recordTask(
          new TaskExecution(
              id,
              "research",
              "failed",
              started,
              clock.instant(),
              Duration.between(started, clock.instant()).toMillis(),
              json.createObjectNode().put("error", e.getClass().getSimpleName()).toString()));
      throw e;
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /** The run in the task log, and each stage's time as a performance metric. */
  private void record(ResearchResult result, Instant started) {
    Map<String, Long> timings = result.metadata().timingsMs();
    String detail =
        json.createObjectNode()
            .put("engine", result.metadata().searchEngine())
            .put("sources", result.sources().size())
            .put("quality", result.researchQualityScore())
            .toString();
    operations.recordTask(
        new TaskExecution(
            result.id(),
            "research",
            result.answer() == null ? "abstained" : "succeeded",
            started,
            clock.instant(),
            timings.getOrDefault("total", 0L),
            detail));
    Instant now = clock.instant();
    Map<String, String> labels =
        Map.of("engine", result.metadata().searchEngine(), "research_id", result.id());
    List<PerformanceMetric> metrics = new ArrayList<>();
    timings.forEach(
        (stage, ms) ->
            metrics.add(new PerformanceMetric("research.stage." + stage, ms, "ms", labels, now)));
    operations.recordMetrics(metrics);
  }

  private ResearchResult run(ResearchRequest request, ResearchProgress progress, TraceSpan span) {
    String id = "res_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    Map<String, Long> timings = new LinkedHashMap<>();
    long start = System.nanoTime();
    long mark = start;

    progress.update("searching", 0, 0);
    int candidates = Math.min(MAX_CANDIDATES, Math.max(8, request.sourcesLimit() * 3));
    SearchRouter.Routed outcome;
    try (TraceSpan stage = Traces.span("research.search")) {
      outcome = router.search(request.searchEngine(), request.query(), candidates);
      stage
          .set("sophia.research.engine", outcome.engine())
          .set("sophia.research.hits", outcome.hits().size());
    }
    mark = lap(timings, "search", mark);

    PageGatherer.Gathered gathered;
    try (TraceSpan stage = Traces.span("research.fetch")) {
      gathered = gatherer.gather(outcome.hits(), progress);
      stage
          .set("sophia.research.pages", gathered.pages().size())
          .set("sophia.research.skipped", gathered.skipped().size());
    }
    mark = lap(timings, "fetch", mark);

    progress.update("ranking", 0, 0);
    float[] queryVector;
    SourceRanker.Ranking ranking;
    try (TraceSpan stage = Traces.span("research.rank")) {
      queryVector =
          gathered.pages().isEmpty() ? new float[0] : embedder.embedQuery(request.query());
      ranking = ranker.rank(request, queryVector, gathered.pages());
      stage.set("sophia.research.chosen", ranking.chosen().size());
    }
    List<SourceRanker.Ranked> ranked = ranking.chosen();
    mark = lap(timings, "rank", mark);

    progress.update("summarizing", 0, 0);
    List<AnswerWriter.SourceText> texts = new ArrayList<>();
    for (int i = 0; i < ranked.size(); i++) {
      texts.add(
          new AnswerWriter.SourceText(
              i + 1,
              ranked.get(i).page().url(),
              ranked.get(i).page().title(),
              ranked.get(i).passages()));
    }
    AnswerWriter.Written written;
    try (TraceSpan stage = Traces.span("research.summarize")) {
      written = write(request, queryVector, texts);
      stage.set("sophia.research.mode", written.mode());
    }
    mark = lap(timings, "summarize", mark);

    List<ResearchResult.Source> sources = new ArrayList<>();
    Map<Integer, String> fullTexts = new HashMap<>();
    Map<Integer, QualityScore.Evidence> evidence = new HashMap<>();
    for (int i = 0; i < ranked.size(); i++) {
      SourceRanker.Ranked r = ranked.get(i);
      sources.add(
          new ResearchResult.Source(
              i + 1,
              r.page().url(),
              r.page().title(),
              written.summaries().getOrDefault(i + 1, ""),
              QualityScore.round(r.relevance()),
              r.page().provider(),
              r.page().publishedDate()));
      fullTexts.put(i + 1, r.page().text());
      evidence.put(
          i + 1,
          new QualityScore.Evidence(
              r.signals().cosine(),
              r.signals().termCoverage(),
              r.signals().bm25Rank(),
              r.signals().vectorRank()));
    }
    Map<String, Double> quality =
        quality(request, written, sources, evidence, ranking.lead(), fullTexts);
    if (!written.mode().equals("model")
        && !written.claims().isEmpty()
        && quality.get("estimate") < QualityScore.ANSWER_BELOW) {
      // Quoting the closest passage of sources that likely do not answer would be a near miss.
      written = written.withoutClaims();
      quality = quality(request, written, sources, evidence, ranking.lead(), fullTexts);
    }
    List<String> skipped = new ArrayList<>(outcome.rejected());
    skipped.addAll(gathered.skipped());
    Set<String> used = new HashSet<>();
    ranked.forEach(r -> used.add(r.page().url()));
    for (SourcePage page : gathered.pages()) {
      if (!used.contains(page.url())) {
        skipped.add(
            page.url() + ": not among the " + request.sourcesLimit() + " most relevant sources");
      }
    }
    List<ResearchResult.Citation> citations = citations(written.claims(), sources);
    String answer = written.claims().isEmpty() ? null : written.answer();
    String note = note(sources, answer, outcome, written, quality.get("score"));

    List<ResearchResult.EngineAttempt> attempts =
        outcome.attempts().stream()
            .map(a -> new ResearchResult.EngineAttempt(a.engine(), a.outcome().name(), a.detail()))
            .toList();
    timings.put("total", millis(System.nanoTime() - start));
    ResearchResult result =
        new ResearchResult(
            id,
            request.query(),
            sources,
            answer,
            citations,
            new ResearchResult.Metadata(
                sources.size(),
                outcome.engine(),
                request.searchEngine(),
                attempts,
                written.mode(),
                timings,
                quality,
                QualityScore.confidence(quality.get("score")),
                skipped,
                note,
                written.model(),
                written.check()),
            quality.get("score"),
            clock.instant().toString(),
            span.traceId());
    save(result);
    lap(timings, "store", mark);
    LOG.info(
        "research {} done: {} sources via {} in {} ms",
        id,
        sources.size(),
        outcome.engine(),
        timings.get("total"));
    return result;
  }

  private static Map<String, Double> quality(
      ResearchRequest request,
      AnswerWriter.Written written,
      List<ResearchResult.Source> sources,
      Map<Integer, QualityScore.Evidence> evidence,
      double lead,
      Map<Integer, String> fullTexts) {
    return QualityScore.compute(
        new QualityScore.Inputs(
            request.query(),
            request.sourcesLimit(),
            !written.mode().equals("model"),
            sources,
            evidence,
            lead,
            written.claims(),
            fullTexts));
  }

  /** No sources, no answer (and no model call); otherwise the writer answers for the caller. */
  private AnswerWriter.Written write(
      ResearchRequest request, float[] queryVector, List<AnswerWriter.SourceText> texts) {
    if (texts.isEmpty()) {
      return AnswerWriter.Written.none();
    }
    String requestId = Objects.requireNonNullElse(MDC.get("request_id"), "");
    CallContext context = new CallContext(request.requestedBy(), request.agent(), requestId);
    return writer.write(request.query(), queryVector, texts, context);
  }

  private static List<ResearchResult.Citation> citations(
      List<AnswerWriter.Claim> claims, List<ResearchResult.Source> sources) {
    Set<Integer> used = new LinkedHashSet<>();
    claims.forEach(c -> used.addAll(c.sources()));
    List<ResearchResult.Citation> out = new ArrayList<>();
    for (int n : used) {
      ResearchResult.Source s = sources.get(n - 1); // claims cite only the sources we passed in
      out.add(new ResearchResult.Citation(n, s.url(), s.title()));
    }
    return out;
  }

  private static String note(
      List<ResearchResult.Source> sources,
      String answer,
      SearchRouter.Routed outcome,
      AnswerWriter.Written written,
      double score) {
    if (outcome.hits().isEmpty()) {
      return "No search engine returned results, so there is no answer: Sophia does not answer without sources.";
    }
    if (sources.isEmpty()) {
      return "Search results were found but none could be read, so there is no answer.";
    }
    if (answer == null) {
      return "None of the sources clearly answers the question, so there is no answer rather than"
          + " a near miss; each source's summary quotes its sentences closest to the question.";
    }
    if (QualityScore.confidence(score).equals("low")) {
      return String.format(
          java.util.Locale.ROOT,
          "Low confidence (%.2f): the sources may not answer this question; check them before"
              + " relying on the answer. %s",
          score,
          written.note());
    }
    return written.note();
  }

  private void save(ResearchResult result) {
    try {
      store.save(
          new ResearchRecord(
              result.id(),
              result.query(),
              result.metadata().searchEngine(),
              result.metadata().mode(),
              result.researchQualityScore(),
              result.sources().size(),
              json.writeValueAsString(result),
              clock.instant()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("research result not serializable", e);
    }
  }

  @Override
  public Optional<ResearchResult> find(String id) {
    return store
        .find(id)
        .map(
            r -> {
              try {
                return json.readValue(r.resultJson(), ResearchResult.class);
              } catch (JsonProcessingException e) {
                throw new ai.sophia.error.StorageException(
                    "stored research " + id + " is unreadable", e);
              }
            });
  }

  @Override
  public List<Summary> history(String containing, int limit) {
    return store.recent(containing, limit).stream().map(this::summary).toList();
  }

  /** The stored confidence is in the result's metadata; results kept before it had none. */
  private Summary summary(ResearchRecord r) {
    String confidence = "";
    try {
      confidence = json.readTree(r.resultJson()).path("metadata").path("confidence").asText("");
    } catch (JsonProcessingException e) {
      LOG.warn("stored research {} is unreadable: {}", r.id(), e.getOriginalMessage());
    }
    return new Summary(
        r.id(),
        r.query(),
        r.createdAt(),
        r.qualityScore(),
        confidence,
        r.mode(),
        r.engine(),
        r.sourcesFound());
  }

  @Override
  public List<MemoryHit> searchMemory(String query, int limit) {
    float[] vector = embedder.embedQuery(query);
    List<ChunkHit> hits = new ArrayList<>();
    hits.addAll(index.search(DocumentIndex.RESEARCH_DATA, query, vector, limit * 3));
    hits.addAll(index.search(DocumentIndex.DOCUMENTS, query, vector, limit * 3));
    hits.sort(Comparator.comparingDouble(ChunkHit::score).reversed());
    Map<String, MemoryHit> best = new LinkedHashMap<>();
    for (ChunkHit h : hits) {
      if (best.size() == limit) {
        break;
      }
      best.putIfAbsent(
          h.chunk().url(),
          new MemoryHit(
              h.chunk().url(),
              h.chunk().title(),
              h.chunk().text(),
              h.chunk().collection(),
              QualityScore.round(h.score())));
    }
    return List.copyOf(best.values());
  }

  private static long lap(Map<String, Long> timings, String stage, long since) {
    long now = System.nanoTime();
    timings.put(stage, millis(now - since));
    return now;
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }
}
