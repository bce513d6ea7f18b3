package ai.sophia.memory;

import ai.sophia.error.StorageException;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntField;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.BytesRef;

/**
 * {@link DocumentIndex} in Apache Lucene under {@code <dataDir>/index}: BM25 over title and text
 * (English analysis) and HNSW over the chunk embeddings, in one index.
 *
 * <p>Concurrency: one {@link IndexWriter} (thread-safe) takes Lucene's write lock on the directory,
 * so only one process can open the index; a second gets a {@link StorageException} saying so. Every
 * write is committed and visible (the {@link SearcherManager} refreshed) before it returns, so a
 * caller reads its own writes; concurrent writers share one commit (group commit). Searches never
 * block writes.
 *
 * <p>The index remembers which embedding model wrote its vectors (commit user data) and refuses to
 * open under another model, whose vectors would live in a different space.
 */
public final class LuceneDocumentIndex implements DocumentIndex {
  static final String ID = "id";
  static final String KEY = "doc_key";
  static final String COLLECTION = "collection";
  static final String URL = "url";
  // Every prefix of a chunk's url that ends with '/' (memory://<scope>/ among them): searchUnder a
  // folder is one term, not a prefix over every url under it (one per agent run remembered).
  static final String FOLDER = "folder";
  static final String TITLE = "title";
  static final String TEXT = "text";
  static final String POSITION = "position";
  static final String VECTOR = "vector";
  // A page document beside its chunks: whole-page BM25 fields, in fields of their own so that their
  // statistics (average length) never mix with the chunks'.
  static final String PAGE_COLLECTION = "page_collection";
  static final String PAGE_TITLE = "page_title";
  static final String PAGE_TEXT = "page_text";
  private static final String MODEL = "embedding_model";
  private static final String SCHEMA = "schema";
  // 2: every document has a page document beside its chunks. 3: chunks have their folders.
  private static final String SCHEMA_VERSION = "3";
  private static final int REWRITE_BATCH = 256;

  private final Path path;
  private final String embeddingModel;
  private final Directory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final HybridSearch hybrid;
  private final PageSearch pageSearch;
  private final PageFusion ranking;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object publishLock = new Object();
  private volatile long publishedThrough = -1; // guarded by publishLock for writes

  private LuceneDocumentIndex(
      Path path,
      String model,
      Directory directory,
      IndexWriter writer,
      Analyzer analyzer,
      PageFusion ranking)
      throws IOException {
    this.path = path;
    this.ranking = ranking;
    this.embeddingModel = model;
    this.directory = directory;
    this.writer = writer;
    this.searchers = new SearcherManager(writer, null);
    this.hybrid = new HybridSearch(analyzer);
    this.pageSearch = new PageSearch(hybrid);
  }

  /**
   * Opens or creates the index in {@code <dataDir>/index} for vectors made by {@code
   * embeddingModel}, ranking pages with {@link PageFusion#standard()}.
   */
  public static LuceneDocumentIndex open(Path dataDir, String embeddingModel) {
    return open(dataDir, embeddingModel, PageFusion.standard());
  }

  /** {@link #open(Path, String)} ranking pages with {@code ranking} ({@code index.ranking}). */
  public static LuceneDocumentIndex open(Path dataDir, String embeddingModel, PageFusion ranking) {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(embeddingModel, "embeddingModel");
    Objects.requireNonNull(ranking, "ranking");
    Path path = dataDir.resolve("index");
    Directory directory = null;
    IndexWriter writer = null;
    LuceneDocumentIndex index = null;
    try {
      directory = FSDirectory.open(path);
      Analyzer analyzer = new EnglishAnalyzer();
      writer = new IndexWriter(directory, new IndexWriterConfig(analyzer));
      checkModel(directory, writer, path, embeddingModel);
      boolean older = olderSchema(directory);
      index = new LuceneDocumentIndex(path, embeddingModel, directory, writer, analyzer, ranking);
      if (older) {
        index.rewriteAll(); // the schema that says so is committed only after it
      }
      writer.setLiveCommitData(Map.of(MODEL, embeddingModel, SCHEMA, SCHEMA_VERSION).entrySet());
      writer.commit();
      return index;
    } catch (LockObtainFailedException e) {
      throw closeAfter(
          new StorageException(
              "the data directory "
                  + dataDir.toAbsolutePath()
                  + " is in use by another Sophia process (a running server?)",
              e),
          index,
          writer,
          directory);
    } catch (IOException e) {
      throw closeAfter(
          new StorageException("cannot open the index in " + path + ": " + e.getMessage(), e),
          index,
          writer,
          directory);
    } catch (RuntimeException e) {
      throw closeAfter(e, index, writer, directory);
    }
  }

  /** Releases what a failed open acquired; failures to release ride along as suppressed. */
  private static RuntimeException closeAfter(
      RuntimeException failure,
      LuceneDocumentIndex index,
      IndexWriter writer,
      Directory directory) {
    try {
      if (index != null) {
        index.searchers.close(); // its reader, opened before an older index was rewritten
      }
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
    try {
      if (writer != null) {
        writer.rollback();
      }
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
    try {
      if (directory != null) {
        directory.close();
      }
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
    return failure;
  }

  private static void checkModel(Directory directory, IndexWriter writer, Path path, String model)
      throws IOException {
    if (!DirectoryReader.indexExists(directory)) {
      return;
    }
    String previous = SegmentInfos.readLatestCommit(directory).getUserData().get(MODEL);
    if (previous != null && !previous.equals(model) && writer.getDocStats().numDocs > 0) {
      throw new StorageException(
          "the index in "
              + path
              + " holds vectors from embedding model "
              + previous
              + " but embedding.model is "
              + model
              + "; set embedding.model back to "
              + previous
              + ", or delete "
              + path
              + " and ingest again");
    }
  }

  /** Whether the index was written by an older schema (without page documents or folders). */
  private static boolean olderSchema(Directory directory) throws IOException {
    return DirectoryReader.indexExists(directory)
        && !SCHEMA_VERSION.equals(
            SegmentInfos.readLatestCommit(directory).getUserData().get(SCHEMA));
  }

  /**
   * Writes every document again from its stored chunks and vectors, in the current schema (page
   * documents, folders), with no re-embedding. An interrupted rewrite leaves the older schema in
   * the commit, so the next open does it again.
   */
  private void rewriteAll() {
    List<String> keys = new ArrayList<>(documentKeys());
    for (int from = 0; from < keys.size(); from += REWRITE_BATCH) {
      replace(chunksOf(keys.subList(from, Math.min(keys.size(), from + REWRITE_BATCH))));
    }
  }

  /** The id Sophia gives the chunk at {@code position} of the document at {@code url}. */
  public static String chunkId(String url, int position) {
    return url + "#" + position;
  }

  @Override
  public void replace(List<Chunk> chunks) {
    Objects.requireNonNull(chunks, "chunks");
    Map<String, List<Chunk>> chunksByDocument = new LinkedHashMap<>();
    for (Chunk chunk : chunks) {
      chunksByDocument
          .computeIfAbsent(key(chunk.collection(), chunk.url()), k -> new ArrayList<>())
          .add(chunk);
    }
    Map<String, List<List<Field>>> byDocument = new LinkedHashMap<>();
    chunksByDocument.forEach(
        (key, own) -> {
          List<List<Field>> docs = new ArrayList<>();
          own.forEach(c -> docs.add(fields(c)));
          docs.add(PageDocuments.fields(key, own));
          byDocument.put(key, docs);
        });
    write(
        () -> {
          long last = -1;
          for (var entry : byDocument.entrySet()) {
            last = writer.updateDocuments(new Term(KEY, entry.getKey()), entry.getValue());
          }
          return last;
        });
  }

  @Override
  public void delete(String collection, String url) {
    Term key = new Term(KEY, key(collection, url));
    write(() -> writer.deleteDocuments(key));
  }

  @Override
  public List<ChunkHit> search(
      String collection, String queryText, float[] queryVector, int limit) {
    Limits.checkSearch(collection, queryText, queryVector, limit);
    Query filter = new TermQuery(new Term(COLLECTION, collection));
    return read(s -> hybrid.search(s, filter, queryText, queryVector, limit));
  }

  @Override
  public List<ChunkHit> searchWithin(
      String collection, Set<String> urls, String queryText, float[] queryVector, int limit) {
    Limits.checkSearch(collection, queryText, queryVector, limit);
    Objects.requireNonNull(urls, "urls");
    if (urls.isEmpty()) {
      return List.of();
    }
    Query filter =
        new BooleanQuery.Builder()
            .add(new TermQuery(new Term(COLLECTION, collection)), BooleanClause.Occur.FILTER)
            .add(
                new TermInSetQuery(URL, urls.stream().map(BytesRef::new).toList()),
                BooleanClause.Occur.FILTER)
            .build();
    return read(s -> hybrid.search(s, filter, queryText, queryVector, limit));
  }

  @Override
  public List<ChunkHit> searchUnder(
      String collection, String urlPrefix, String queryText, float[] queryVector, int limit) {
    Limits.checkSearch(collection, queryText, queryVector, limit);
    Objects.requireNonNull(urlPrefix, "urlPrefix");
    if (urlPrefix.isEmpty()) {
      throw new IllegalArgumentException("urlPrefix must not be empty");
    }
    Query under =
        urlPrefix.endsWith("/")
            ? new TermQuery(new Term(FOLDER, urlPrefix))
            : new PrefixQuery(new Term(URL, urlPrefix));
    Query filter =
        new BooleanQuery.Builder()
            .add(new TermQuery(new Term(COLLECTION, collection)), BooleanClause.Occur.FILTER)
            .add(under, BooleanClause.Occur.FILTER)
            .build();
    return read(s -> hybrid.search(s, filter, queryText, queryVector, limit));
  }

  @Override
  public List<PageHit> searchPages(
      String collection, Set<String> urls, String queryText, float[] queryVector, int limit) {
    return searchPages(collection, urls, queryText, queryVector, limit, ranking, false);
  }

  /**
   * {@link #searchPages} with other fusion weights; with {@code allCandidates}, every candidate
   * page the search measured rather than the best {@code limit} (the retrieval benchmark's tuning).
   */
  public List<PageHit> searchPages(
      String collection,
      Set<String> urls,
      String queryText,
      float[] queryVector,
      int limit,
      PageFusion fusion,
      boolean allCandidates) {
    Limits.checkSearch(collection, queryText, queryVector, limit);
    Objects.requireNonNull(urls, "urls");
    Objects.requireNonNull(fusion, "fusion");
    BooleanQuery.Builder pages =
        new BooleanQuery.Builder()
            .add(new TermQuery(new Term(PAGE_COLLECTION, collection)), BooleanClause.Occur.FILTER);
    BooleanQuery.Builder chunks =
        new BooleanQuery.Builder()
            .add(new TermQuery(new Term(COLLECTION, collection)), BooleanClause.Occur.FILTER);
    if (!urls.isEmpty()) {
      Query inUrls = new TermInSetQuery(URL, urls.stream().map(BytesRef::new).toList());
      pages.add(inUrls, BooleanClause.Occur.FILTER);
      chunks.add(inUrls, BooleanClause.Occur.FILTER);
    }
    return read(
        s ->
            pageSearch.search(
                s,
                pages.build(),
                chunks.build(),
                queryText,
                queryVector,
                limit,
                fusion,
                allCandidates));
  }

  @Override
  public List<ChunkHit> searchText(String collection, String queryText, int limit) {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(queryText, "queryText");
    Limits.check(limit);
    return read(s -> hybrid.searchText(s, collection, queryText, limit));
  }

  /** Chunks (not documents) in the collection. */
  @Override
  public long count(String collection) {
    Objects.requireNonNull(collection, "collection");
    return read(s -> (long) s.count(new TermQuery(new Term(COLLECTION, collection))));
  }

  /** Health of the index: open, searchable, and how many chunks it holds. */
  @Override
  public HealthCheck healthCheck() {
    return HealthCheck.of(
        "index",
        Duration.ofSeconds(2),
        () -> {
          if (closed.get() || !writer.isOpen()) {
            return HealthStatus.down("index is closed");
          }
          long chunks = read(s -> (long) s.count(new FieldExistsQuery(VECTOR)));
          return HealthStatus.up(
              "lucene", Map.of("chunks", chunks, "embedding_model", embeddingModel));
        });
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try (directory;
        writer) {
      searchers.close();
    } catch (IOException e) {
      throw new StorageException("closing the index in " + path + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * The key of every document (collection and url) the index holds, sorted: with {@link #chunksOf},
   * how {@code sophia index migrate} pages through it, resumably.
   */
  public java.util.SortedSet<String> documentKeys() {
    return read(
        s -> {
          java.util.SortedSet<String> keys = new java.util.TreeSet<>();
          Set<String> fields = Set.of(COLLECTION, URL);
          StoredFields stored = s.storedFields();
          for (ScoreDoc hit :
              s.search(
                      new FieldExistsQuery(VECTOR),
                      Math.max(1, s.count(new FieldExistsQuery(VECTOR))))
                  .scoreDocs) {
            var d = stored.document(hit.doc, fields);
            keys.add(key(d.get(COLLECTION), d.get(URL)));
          }
          return keys;
        });
  }

  /** The chunks of the documents with these keys ({@link #documentKeys}), with their vectors. */
  public List<Chunk> chunksOf(java.util.Collection<String> keys) {
    Objects.requireNonNull(keys, "keys");
    if (keys.isEmpty()) {
      return List.of();
    }
    Query query =
        new BooleanQuery.Builder()
            .add(
                new TermInSetQuery(KEY, keys.stream().map(BytesRef::new).toList()),
                BooleanClause.Occur.FILTER)
            .add(new FieldExistsQuery(VECTOR), BooleanClause.Occur.FILTER)
            .build();
    return read(
        s -> {
          java.util.TreeSet<Integer> docs = new java.util.TreeSet<>();
          for (ScoreDoc hit : s.search(query, Math.max(1, s.count(query))).scoreDocs) {
            docs.add(hit.doc);
          }
          Map<Integer, float[]> vectors = HybridSearch.vectors(s, docs);
          StoredFields stored = s.storedFields();
          List<Chunk> out = new ArrayList<>(docs.size());
          for (int doc : docs) {
            out.add(HybridSearch.chunk(stored.document(doc), vectors.get(doc)));
          }
          return out;
        });
  }

  /** The collection of a document {@link #key}. */
  public static String collectionOf(String key) {
    return key.substring(0, key.indexOf('\u001f'));
  }

  /** The key of a document in the index: its collection and url. */
  public static String key(String collection, String url) {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(url, "url");
    return collection + '\u001f' + url; // unit separator: appears in neither
  }

  private static List<Field> fields(Chunk c) {
    List<Field> fields = new ArrayList<>();
    for (int slash = c.url().indexOf('/'); slash >= 0; slash = c.url().indexOf('/', slash + 1)) {
      fields.add(new StringField(FOLDER, c.url().substring(0, slash + 1), Field.Store.NO));
    }
    fields.addAll(
        List.of(
            new StringField(ID, c.id(), Field.Store.YES),
            new StringField(KEY, key(c.collection(), c.url()), Field.Store.NO),
            new StringField(COLLECTION, c.collection(), Field.Store.YES),
            new StringField(URL, c.url(), Field.Store.YES),
            new TextField(TITLE, c.title(), Field.Store.YES),
            new TextField(TEXT, c.text(), Field.Store.YES),
            new IntField(POSITION, c.position(), Field.Store.YES),
            // DOT_PRODUCT is cosine for the unit vectors every Embedder returns, and cheaper.
            new KnnFloatVectorField(VECTOR, c.vector(), VectorSimilarityFunction.DOT_PRODUCT)));
    return fields;
  }

  /** A change to the index; returns the writer's sequence number of its last operation. */
  private interface Write {
    long run() throws IOException;
  }

  private interface Read<T> {
    T run(IndexSearcher searcher) throws IOException;
  }

  private void write(Write change) {
    ensureOpen();
    try {
      publishThrough(change.run());
    } catch (IOException e) {
      throw new StorageException("writing the index in " + path + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Group commit: makes every change up to sequence number {@code seq} durable and visible before
   * returning. Writers that arrive while a commit runs wait for it, and the first of them commits
   * once for all the changes made meanwhile, so concurrent writers share fsyncs instead of queueing
   * one commit each (10,000 agents finishing at once would otherwise take minutes).
   */
  private void publishThrough(long seq) throws IOException {
    if (publishedThrough >= seq) {
      return;
    }
    synchronized (publishLock) {
      if (publishedThrough >= seq) {
        return; // a commit that started after this change covered it
      }
      long committed = writer.commit();
      searchers.maybeRefreshBlocking();
      publishedThrough = Math.max(seq, committed);
    }
  }

  private <T> T read(Read<T> query) {
    ensureOpen();
    try {
      IndexSearcher searcher = searchers.acquire();
      try {
        return query.run(searcher);
      } finally {
        searchers.release(searcher);
      }
    } catch (IOException e) {
      throw new StorageException("reading the index in " + path + " failed: " + e.getMessage(), e);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the index in " + path + " is closed");
    }
  }
}
