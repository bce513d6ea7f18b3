package ai.sophia.memory;

import java.nio.file.Path;

/**
 * The storage backends a store's contract test runs on:
 * {@code @ParameterizedClass @EnumSource(Backend.class)} runs every test of the class once on each.
 */
public enum Backend {
  sqlite {
    @Override
    public Database open(Path dir) {
      return SqliteDatabase.open(dir);
    }
  },
  postgres {
    @Override
    public Database open(Path dir) {
      return TestPostgres.open(dir);
    }
  };

  /** Opens the database for {@code dir}: the same directory reopens the same database. */
  public abstract Database open(Path dir);
}
