package ai.sophia.code;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.memory.SqlOperationsStore;
import ai.sophia.memory.SqliteDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/** Real code changes over a temporary data directory: SQLite for task records, real git. */
public final class CodeFixture implements AutoCloseable {
  public final SophiaConfig config;
  public final SqliteDatabase db;
  public final SqlOperationsStore operations;
  public final CodeChanges changes;

  /** {@code repositories} is the YAML of {@code code.repositories}, indented by four spaces. */
  public CodeFixture(Path dataDir, String repositories, Map<String, String> env) {
    this.config = config(dataDir, repositories, env);
    this.db = SqliteDatabase.open(config.dataDir());
    this.operations = new SqlOperationsStore(db);
    this.changes = CodeChanges.create(config, Secrets.create(env), operations, Clock.systemUTC());
  }

  public static SophiaConfig config(Path dataDir, String repositories, Map<String, String> env) {
    try {
      Path yaml = dataDir.resolveSibling(dataDir.getFileName() + ".yaml");
      Files.writeString(
          yaml,
          "data_dir: "
              + dataDir
              + "\ncode:\n  github_wait_max_ms: 3000\n  repositories:\n"
              + repositories);
      return ConfigLoader.create(env).load(Optional.of(yaml));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    db.close();
  }
}
