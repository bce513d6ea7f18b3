package ai.sophia.memory;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.StorageException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the embedded index does (the shared contract is {@link DocumentIndexTest}'s). */
class LuceneDocumentIndexTest {
  @TempDir Path dataDir;

  @Test
  void open_secondInstanceOnSameDataDir_failsSayingDirectoryIsInUse() {
    try (LuceneDocumentIndex index = LuceneDocumentIndex.open(dataDir, "bge-small-en-v1.5")) {
      assertThatThrownBy(() -> LuceneDocumentIndex.open(dataDir, "bge-small-en-v1.5"))
          .isInstanceOf(StorageException.class)
          .hasMessage(
              "the data directory "
                  + dataDir.toAbsolutePath()
                  + " is in use by another Sophia process (a running server?)");
    }
  }
}
