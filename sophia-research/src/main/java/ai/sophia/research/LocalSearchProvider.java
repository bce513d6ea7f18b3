package ai.sophia.research;

import ai.sophia.embedding.Embedder;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.PageHit;
import ai.sophia.search.SearchHit;
import ai.sophia.search.SearchProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code local} engine: Sophia's own index of ingested sites and documents (collection {@code
 * documents}), ranked page by page ({@link DocumentIndex#searchPages}). One hit per document, with
 * its best passage as the snippet.
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
    List<PageHit> pages =
        index.searchPages(
            DocumentIndex.DOCUMENTS, Set.of(), query, embedder.embedQuery(query), limit);
    List<SearchHit> out = new ArrayList<>();
    int rank = 1;
    for (PageHit page : pages) {
      String snippet = page.passages().isEmpty() ? "" : page.passages().getFirst().chunk().text();
      out.add(
          new SearchHit(
              page.url(),
              page.title(),
              snippet.length() > 300 ? snippet.substring(0, 300) : snippet,
              name(),
              rank++));
    }
    return out;
  }
}
