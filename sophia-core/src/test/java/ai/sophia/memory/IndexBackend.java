package ai.sophia.memory;

import java.nio.file.Path;

/**
 * The search index backends a {@link DocumentIndex} contract test runs on:
 * {@code @ParameterizedClass @EnumSource(IndexBackend.class)} runs every test of the class once on
 * each.
 */
public enum IndexBackend {
  lucene {
    @Override
    public DocumentIndex open(Path dir, String model) {
      return LuceneDocumentIndex.open(dir, model);
    }
  },
  elasticsearch {
    @Override
    public DocumentIndex open(Path dir, String model) {
      return TestElasticsearch.open(dir, model);
    }
  };

  /** Opens the index for {@code dir}: the same directory reopens the same index. */
  public abstract DocumentIndex open(Path dir, String model);
}
