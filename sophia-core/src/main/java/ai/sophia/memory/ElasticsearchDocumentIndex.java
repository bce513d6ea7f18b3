package ai.sophia.memory;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.StorageException;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.cluster.HealthResponse;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;

/**
 * {@link DocumentIndex} in Elasticsearch: one index {@code <prefix>chunks} that every Sophia node
 * shares, holding each document's chunks and its page document as {@link LuceneDocumentIndex} does,
 * with the same ranking ({@link ElasticsearchSearch}).
 *
 * <p>Text is analysed on Sophia's side with the Lucene analyzer of the embedded index, and the
 * tokens are indexed into {@code whitespace}-analysed fields, so BM25 sees the same terms and field
 * lengths on both backends (and the cluster needs no analysis plugin). Vectors are a {@code
 * dense_vector} (HNSW, cosine) for the nearest-neighbour candidates; the exact cosines are computed
 * here from the stored vectors, as the Lucene index does.
 *
 * <p>Consistency: a write returns after the index was refreshed, so any node reads it at once.
 * {@link #replace} overwrites each chunk by a stable id and then deletes the document's chunks it
 * no longer has, so a concurrent reader never sees a document without chunks. The index remembers
 * the embedding model in its mapping's {@code _meta} and refuses another one, like the Lucene
 * index.
 */
public final class ElasticsearchDocumentIndex implements DocumentIndex {
  /** The environment variable holding the basic-authentication password. */
  public static final String PASSWORD_ENV = "SOPHIA_INDEX_ELASTICSEARCH_PASSWORD";

  /** The environment variable holding an API key (used instead of a user and password). */
  public static final String API_KEY_ENV = "SOPHIA_INDEX_ELASTICSEARCH_API_KEY";

  private final ElasticsearchClient client;
  private final RestClient rest;
  private final String index;
  private final String embeddingModel;
  private final ElasticsearchSearch search;
  private final PageFusion ranking;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean hasVectors;

  private ElasticsearchDocumentIndex(
      RestClient rest,
      ElasticsearchClient client,
      String index,
      String model,
      boolean vectors,
      PageFusion ranking) {
    this.rest = rest;
    this.ranking = ranking;
    this.client = client;
    this.index = index;
    this.embeddingModel = model;
    this.hasVectors = vectors;
    this.search = new ElasticsearchSearch(client, index);
  }

  /**
   * Opens {@code index.elasticsearch} for vectors made by {@code embeddingModel}, with the password
   * from {@value #PASSWORD_ENV} or the API key from {@value #API_KEY_ENV} (or their {@code _FILE}),
   * ranking pages with {@link PageFusion#standard()}.
   */
  public static ElasticsearchDocumentIndex open(
      SophiaConfig.Elasticsearch config, Secrets secrets, String embeddingModel) {
    return open(config, secrets, embeddingModel, PageFusion.standard());
  }

  /**
   * {@link #open(SophiaConfig.Elasticsearch, Secrets, String)} ranking pages with {@code ranking}.
   */
  public static ElasticsearchDocumentIndex open(
      SophiaConfig.Elasticsearch config,
      Secrets secrets,
      String embeddingModel,
      PageFusion ranking) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(secrets, "secrets");
    return open(
        config.urls(),
        config.username(),
        secrets.get(PASSWORD_ENV),
        secrets.get(API_KEY_ENV),
        config.indexPrefix(),
        Duration.ofMillis(config.timeoutMs()),
        embeddingModel,
        ranking);
  }

  /**
   * Opens (creating it if needed) the index {@code <indexPrefix>chunks} on the nodes at urls,
   * ranking pages with {@code ranking}.
   */
  public static ElasticsearchDocumentIndex open(
      List<String> urls,
      String username,
      Optional<String> password,
      Optional<String> apiKey,
      String indexPrefix,
      Duration timeout,
      String embeddingModel,
      PageFusion ranking) {
    Objects.requireNonNull(urls, "urls");
    Objects.requireNonNull(ranking, "ranking");
    Objects.requireNonNull(indexPrefix, "indexPrefix");
    Objects.requireNonNull(embeddingModel, "embeddingModel");
    RestClientBuilder builder =
        RestClient.builder(urls.stream().map(HttpHost::create).toArray(HttpHost[]::new));
    int millis = Math.toIntExact(timeout.toMillis());
    builder.setRequestConfigCallback(r -> r.setConnectTimeout(millis).setSocketTimeout(millis));
    if (apiKey.isPresent()) {
      builder.setDefaultHeaders(
          new Header[] {new BasicHeader("Authorization", "ApiKey " + apiKey.get())});
    } else if (username != null && !username.isBlank()) {
      var credentials = new BasicCredentialsProvider();
      credentials.setCredentials(
          AuthScope.ANY, new UsernamePasswordCredentials(username, password.orElse("")));
      builder.setHttpClientConfigCallback(h -> h.setDefaultCredentialsProvider(credentials));
    }
    RestClient rest = builder.build();
    ObjectMapper json =
        new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    var client =
        new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper(json)));
    String index = indexPrefix + "chunks";
    try {
      boolean vectors = ElasticsearchSchema.prepare(client, index, embeddingModel);
      return new ElasticsearchDocumentIndex(rest, client, index, embeddingModel, vectors, ranking);
    } catch (IOException | ElasticsearchException e) {
      closeQuietly(rest, e);
      throw new StorageException(
          "cannot open the Elasticsearch index " + index + " at " + urls + ": " + message(e), e);
    } catch (RuntimeException e) {
      closeQuietly(rest, e);
      throw e;
    }
  }

  @Override
  public void replace(List<Chunk> chunks) {
    Objects.requireNonNull(chunks, "chunks");
    ensureOpen();
    if (chunks.isEmpty()) {
      return;
    }
    Map<String, List<Chunk>> byDocument = new LinkedHashMap<>();
    for (Chunk chunk : chunks) {
      byDocument
          .computeIfAbsent(
              LuceneDocumentIndex.key(chunk.collection(), chunk.url()), k -> new ArrayList<>())
          .add(chunk);
    }
    try {
      ensureVectorField(chunks.getFirst().vector().length);
      BulkRequest.Builder bulk = new BulkRequest.Builder().index(index);
      List<String> ids = new ArrayList<>();
      for (var entry : byDocument.entrySet()) {
        String key = entry.getKey();
        for (Chunk c : entry.getValue()) {
          String id = docId(key, Integer.toString(c.position()));
          ids.add(id);
          Map<String, Object> doc = search.chunkSource(key, c);
          bulk.operations(o -> o.index(i -> i.id(id).document(doc)));
        }
        String pageId = docId(key, "page");
        ids.add(pageId);
        Map<String, Object> page = search.pageSource(key, entry.getValue());
        bulk.operations(o -> o.index(i -> i.id(pageId).document(page)));
      }
      check(client.bulk(bulk.build()));
      // What the documents no longer have: chunks past their new end.
      Query stale =
          Query.of(
              q ->
                  q.bool(
                      b ->
                          b.filter(ElasticsearchSearch.terms("key", byDocument.keySet()))
                              .mustNot(m -> m.ids(i -> i.values(ids)))));
      deleteWhere(stale);
    } catch (IOException | ElasticsearchException e) {
      throw failure("writing", e);
    }
  }

  @Override
  public void delete(String collection, String url) {
    String key = LuceneDocumentIndex.key(collection, url);
    ensureOpen();
    try {
      deleteWhere(ElasticsearchSearch.terms("key", Set.of(key)));
    } catch (IOException | ElasticsearchException e) {
      throw failure("deleting from", e);
    }
  }

  @Override
  public List<ChunkHit> search(
      String collection, String queryText, float[] queryVector, int limit) {
    Limits.checkSearch(collection, queryText, queryVector, limit);
    return read(
        () ->
            search.hybrid(
                ElasticsearchSearch.collection(collection),
                queryText,
                queryVector,
                limit,
                hasVectors));
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
        ElasticsearchSearch.and(
            ElasticsearchSearch.collection(collection), ElasticsearchSearch.terms("url", urls));
    return read(() -> search.hybrid(filter, queryText, queryVector, limit, hasVectors));
  }

  @Override
  public List<ChunkHit> searchUnder(
      String collection, String urlPrefix, String queryText, float[] queryVector, int limit) {
    Limits.checkSearch(collection, queryText, queryVector, limit);
    Objects.requireNonNull(urlPrefix, "urlPrefix");
    if (urlPrefix.isEmpty()) {
      throw new IllegalArgumentException("urlPrefix must not be empty");
    }
    Query filter =
        ElasticsearchSearch.and(
            ElasticsearchSearch.collection(collection),
            Query.of(q -> q.prefix(p -> p.field("url").value(urlPrefix))));
    return read(() -> search.hybrid(filter, queryText, queryVector, limit, hasVectors));
  }

  @Override
  public List<PageHit> searchPages(
      String collection, Set<String> urls, String queryText, float[] queryVector, int limit) {
    return searchPages(collection, urls, queryText, queryVector, limit, ranking, false);
  }

  /** {@link #searchPages} with other fusion weights, as {@link LuceneDocumentIndex} has it. */
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
    return read(
        () ->
            search.pages(
                collection,
                urls,
                queryText,
                queryVector,
                limit,
                fusion,
                allCandidates,
                hasVectors));
  }

  @Override
  public List<ChunkHit> searchText(String collection, String queryText, int limit) {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(queryText, "queryText");
    Limits.check(limit);
    return read(() -> search.text(ElasticsearchSearch.collection(collection), queryText, limit));
  }

  /** Chunks (not documents) in the collection. */
  @Override
  public long count(String collection) {
    Objects.requireNonNull(collection, "collection");
    return read(
        () ->
            client
                .count(c -> c.index(index).query(ElasticsearchSearch.collection(collection)))
                .count());
  }

  /**
   * Health of the cluster and the index: a red or unreachable cluster is degraded, with what is
   * wrong in the detail; never an exception.
   */
  @Override
  public HealthCheck healthCheck() {
    return HealthCheck.of(
        "index",
        Duration.ofSeconds(5),
        false, // a cluster that does not answer in time degrades Sophia, it does not stop it
        () -> {
          if (closed.get()) {
            return HealthStatus.down("index is closed");
          }
          try {
            HealthResponse health = client.cluster().health(h -> h);
            String status = health.status().jsonValue();
            String detail =
                "elasticsearch cluster "
                    + health.clusterName()
                    + " is "
                    + status
                    + " ("
                    + health.numberOfNodes()
                    + " nodes)";
            if (health.status() == co.elastic.clients.elasticsearch._types.HealthStatus.Red) {
              return HealthStatus.degraded(
                  detail + ": a primary shard is unassigned, some data cannot be searched");
            }
            long chunks =
                client.count(c -> c.index(index).query(ElasticsearchSearch.chunks())).count();
            return HealthStatus.up(
                detail,
                Map.of(
                    "chunks", chunks,
                    "embedding_model", embeddingModel,
                    "cluster_status", status,
                    "index", index,
                    "nodes", health.numberOfNodes()));
          } catch (IOException | RuntimeException e) {
            return HealthStatus.degraded("elasticsearch unreachable: " + message(e));
          }
        });
  }

  /** The index's name in the cluster. */
  public String name() {
    return index;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        rest.close();
      } catch (IOException e) {
        throw new StorageException("closing the Elasticsearch client failed: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Deletes the documents {@code query} matches and refreshes, so every node sees the change. By id
   * through bulk requests: the distribution the tests run has no delete-by-query (a module).
   */
  private void deleteWhere(Query query) throws IOException {
    while (true) {
      List<String> ids = search.ids(query);
      if (!ids.isEmpty()) {
        BulkRequest.Builder bulk = new BulkRequest.Builder().index(index);
        for (String id : ids) {
          bulk.operations(o -> o.delete(d -> d.id(id)));
        }
        check(client.bulk(bulk.build()));
      }
      client.indices().refresh(r -> r.index(index));
      if (ids.size() < ElasticsearchSearch.MAX_WINDOW) {
        return;
      }
    }
  }

  private void ensureVectorField(int dims) throws IOException {
    if (!hasVectors && dims > 0) {
      ElasticsearchSchema.addVectorField(client, index, dims);
      hasVectors = true;
    }
  }

  /** An id of at most 64 + a few characters, whatever the url's length (ES allows 512 bytes). */
  private static String docId(String key, String part) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash) + "-" + part;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }

  private static void check(BulkResponse response) {
    if (!response.errors()) {
      return;
    }
    for (BulkResponseItem item : response.items()) {
      if (item.error() != null) {
        throw new StorageException(
            "Elasticsearch refused a chunk: " + item.error().type() + ": " + item.error().reason());
      }
    }
  }

  private interface Read<T> {
    T run() throws IOException;
  }

  private <T> T read(Read<T> query) {
    ensureOpen();
    try {
      return query.run();
    } catch (IOException | ElasticsearchException e) {
      throw failure("reading", e);
    }
  }

  private StorageException failure(String doing, Exception e) {
    return new StorageException(
        doing + " the Elasticsearch index " + index + " failed: " + message(e), e);
  }

  private static String message(Exception e) {
    if (e instanceof ElasticsearchException es && es.error() != null) {
      return es.error().type() + ": " + es.error().reason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static void closeQuietly(RestClient rest, Exception failure) {
    try {
      rest.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the Elasticsearch index " + index + " is closed");
    }
  }
}
