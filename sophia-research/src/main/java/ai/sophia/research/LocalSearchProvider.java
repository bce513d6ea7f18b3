package ai.sophia.research;

import ai.sophia.embedding.Embedder;
import ai.sophia.memory.ChunkHit;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.search.SearchHit;
import ai.sophia.search.SearchProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code local} engine: Sophia's own index of ingested sites and documents (collection {@code
 * documents}), searched hybrid. One hit per document, at its best passage.
 */
public final class LocalSearchProvider implements SearchProvider {
  private final DocumentIndex index;
  private final Embedder embedder;

  public LocalSearchProvider(DocumentIndex index, Embedder embedder) {
    this.index = java.util.Objects.requireNonNull(index, "index");
    this.embedder = java.util.Objects.requireNonNull(embedder, "embedder");
  }

  @Override
  public String name() {
    return "local";
  }

  /** Never cached: an ingest changes the answer at once. */
  @Override
  public boolean cacheable() {
    return false;
  }

  @Override
  public boolean configured() {
    return index.count(DocumentIndex.DOCUMENTS) > 0;
  }

  @Override
  public List<SearchHit> search(String query, int limit) {
    // Several passages of one document may rank high; ask for more and keep the best per URL.
    List<ChunkHit> hits =
        index.search(DocumentIndex.DOCUMENTS, query, embedder.embedQuery(query), limit * 4);
    Map<String, ChunkHit> best = new LinkedHashMap<>();
    for (ChunkHit hit : hits) {
      best.putIfAbsent(hit.chunk().url(), hit);
    }
    List<SearchHit> out = new ArrayList<>();
    int rank = 1;
    for (ChunkHit hit : best.values()) {
      if (out.size() == limit) {
        break;
      }
      String snippet = hit.chunk().text();
      out.add(
          new SearchHit(
              hit.chunk().url(),
              hit.chunk().title(),
              snippet.length() > 300 ? snippet.substring(0, 300) : snippet,
              name(),
              rank++));
    }
    return out;
  }
}
