package ai.sophia.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The store's contract, on SQLite and on PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class DocumentStoreTest {
  @Parameter Backend backend;

  @TempDir Path dir;
  private Database db;
  private SqlDocumentStore store;

  @BeforeEach
  void open() {
    db = backend.open(dir);
    store = new SqlDocumentStore(db);
  }

  @AfterEach
  void close() {
    db.close();
  }

  private static Document doc(String collection, String url, String text, String hash) {
    return new Document(
        url, collection, "Title " + url, text, hash, "2024-05-01", Instant.ofEpochMilli(1000));
  }

  @Test
  void upsert_newDocument_trueAndFindable() {
    Document d = doc("documents", "https://a.test/1", "alpha", "h1");
    assertThat(store.upsert(d)).isTrue();
    assertThat(store.find("documents", "https://a.test/1")).contains(d);
  }

  @Test
  void upsert_sameContentAgain_falseAndKeepsFirstFetchTime() {
    store.upsert(doc("documents", "https://a.test/1", "alpha", "h1"));
    Document again =
        new Document(
            "https://a.test/1",
            "documents",
            "Title https://a.test/1",
            "alpha",
            "h1",
            "2024-05-01",
            Instant.ofEpochMilli(9000));
    assertThat(store.upsert(again)).isFalse();
    assertThat(store.find("documents", "https://a.test/1").orElseThrow().fetchedAt())
        .isEqualTo(Instant.ofEpochMilli(1000));
  }

  @Test
  void upsert_changedContent_trueAndReplaces() {
    store.upsert(doc("documents", "https://a.test/1", "alpha", "h1"));
    assertThat(store.upsert(doc("documents", "https://a.test/1", "beta", "h2"))).isTrue();
    assertThat(store.find("documents", "https://a.test/1").orElseThrow().text()).isEqualTo("beta");
    assertThat(store.count("documents")).isEqualTo(1);
  }

  @Test
  void findByHash_sameContentUnderOtherUrl_findsDuplicate() {
    store.upsert(doc("documents", "https://a.test/b", "same", "hash-same"));
    store.upsert(doc("documents", "https://a.test/a", "same", "hash-same"));
    store.upsert(doc("documents", "https://a.test/c", "other", "hash-other"));
    assertThat(store.findByHash("documents", "hash-same").orElseThrow().url())
        .isEqualTo("https://a.test/a");
    assertThat(store.findByHash("documents", "hash-missing")).isEmpty();
  }

  @Test
  void findByHash_otherCollection_notFound() {
    store.upsert(doc("research_data", "https://a.test/1", "x", "h1"));
    assertThat(store.findByHash("documents", "h1")).isEmpty();
    assertThat(store.find("documents", "https://a.test/1")).isEmpty();
  }

  @Test
  void page_afterUrl_returnsNextUrlsInOrderWithinLimit() {
    for (String u : new String[] {"u3", "u1", "u5", "u2", "u4"}) {
      store.upsert(doc("documents", u, "text " + u, "hash-" + u));
    }
    store.upsert(doc("research_data", "u0", "elsewhere", "hash-u0"));
    assertThat(store.page("documents", "", 2))
        .extracting(Document::url)
        .containsExactly("u1", "u2");
    assertThat(store.page("documents", "u2", 2))
        .extracting(Document::url)
        .containsExactly("u3", "u4");
    assertThat(store.page("documents", "u5", 2)).isEmpty();
    assertThat(store.count("documents")).isEqualTo(5);
    assertThat(store.count("research_data")).isEqualTo(1);
  }
}
