package ai.sophia.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Documents the end-to-end tests ingest. */
final class TestDocs {
  /** A page about SQLite's write-ahead log, which research on readers in WAL mode cites. */
  static final String WAL =
      "# Write-ahead logging\n\nSQLite in WAL mode appends changes to a separate write-ahead log"
          + " file instead of overwriting the database file in place. Readers keep reading the"
          + " database while one writer appends new pages to the log. A checkpoint later copies"
          + " the logged pages back into the main database file.\n";

  private TestDocs() {}

  /** A {@code docs} folder under {@code dir} holding {@code wal.md}. */
  static Path walFolder(Path dir) throws IOException {
    Path docs = Files.createDirectories(dir.resolve("docs"));
    Files.writeString(docs.resolve("wal.md"), WAL);
    return docs;
  }
}
