package ai.sophia.memory;

import ai.sophia.error.StorageException;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.mapping.DenseVectorIndexOptionsType;
import co.elastic.clients.elasticsearch._types.mapping.DenseVectorSimilarity;
import co.elastic.clients.elasticsearch._types.mapping.Property;
import co.elastic.clients.elasticsearch.indices.get_mapping.IndexMappingRecord;
import co.elastic.clients.json.JsonData;
import java.io.IOException;
import java.io.StringReader;
import java.util.Map;

/**
 * The shape of {@link ElasticsearchDocumentIndex}'s index: its settings and mapping, its creation
 * by whichever node comes first, the embedding model it records, and the vector field added with
 * the dimensions of the first vectors written.
 */
final class ElasticsearchSchema {
  private static final String MODEL = "embedding_model";
  private static final String SCHEMA = "schema";
  private static final String SCHEMA_VERSION = "1";

  private ElasticsearchSchema() {}

  /** Creates the index unless it exists, checks its model; whether it has a vector field yet. */
  static boolean prepare(ElasticsearchClient client, String index, String model)
      throws IOException {
    if (!client.indices().exists(e -> e.index(index)).value()) {
      try {
        client.indices().create(c -> c.index(index).withJson(new StringReader(mapping(model))));
        return false;
      } catch (ElasticsearchException e) {
        if (!"resource_already_exists_exception".equals(e.error().type())) {
          throw e; // another node creating it at the same moment is fine
        }
      }
    }
    IndexMappingRecord record = client.indices().getMapping(m -> m.index(index)).get(index);
    Map<String, JsonData> meta = record.mappings().meta();
    String previous = meta.containsKey(MODEL) ? meta.get(MODEL).to(String.class) : null;
    long chunks = client.count(c -> c.index(index).query(ElasticsearchSearch.chunks())).count();
    if (previous != null && !previous.equals(model) && chunks > 0) {
      throw new StorageException(
          "the Elasticsearch index "
              + index
              + " holds vectors from embedding model "
              + previous
              + " but embedding.model is "
              + model
              + "; set embedding.model back to "
              + previous
              + ", or use another index.elasticsearch.index_prefix and ingest again");
    }
    if (!model.equals(previous)) {
      client
          .indices()
          .putMapping(
              p ->
                  p.index(index)
                      .meta(MODEL, JsonData.of(model))
                      .meta(SCHEMA, JsonData.of(SCHEMA_VERSION)));
    }
    Property vector = record.mappings().properties().get(ElasticsearchSearch.VECTOR);
    return vector != null && vector.isDenseVector();
  }

  /**
   * One shard (so BM25's statistics are the whole collection's, as in Lucene), a replica on every
   * other node up to one; text fields take tokens that Sophia analysed.
   */
  private static String mapping(String model) {
    String terms = "{\"type\":\"text\",\"analyzer\":\"whitespace\"}";
    String stored = "{\"type\":\"text\",\"index\":false}";
    String keyword = "{\"type\":\"keyword\"}";
    return """
        {"settings":{"number_of_shards":1,"auto_expand_replicas":"0-1"},
         "mappings":{"dynamic":"strict",
          "_meta":{"%s":"%s","%s":"%s"},
          "_source":{"excludes":["*_terms"]},
          "properties":{
           "id":%s,"key":%s,"collection":%s,"url":%s,"page_collection":%s,
           "position":{"type":"integer"},
           "title":%s,"text":%s,
           "title_terms":%s,"text_terms":%s,"page_title_terms":%s,"page_text_terms":%s}}}
        """
        .formatted(
            MODEL,
            model,
            SCHEMA,
            SCHEMA_VERSION,
            keyword,
            keyword,
            keyword,
            keyword,
            keyword,
            stored,
            stored,
            terms,
            terms,
            terms,
            terms);
  }

  /** Maps the vector field, with the dimensions of the first vectors written. */
  static void addVectorField(ElasticsearchClient client, String index, int dims)
      throws IOException {
    client
        .indices()
        .putMapping(
            p ->
                p.index(index)
                    .properties(
                        ElasticsearchSearch.VECTOR,
                        v ->
                            v.denseVector(
                                d ->
                                    d.dims(dims)
                                        .index(true)
                                        .similarity(DenseVectorSimilarity.Cosine)
                                        .indexOptions(
                                            o -> o.type(DenseVectorIndexOptionsType.Hnsw)))));
  }
}
