package ai.sophia.memory;

import ai.sophia.error.InvalidInputException;

/** Every query that returns rows is bounded; this checks the caller's bound. */
final class Limits {
  static final int MAX_ROWS = 1000;

  private Limits() {}

  /** The arguments every hybrid search takes, checked at its public entry. */
  static void checkSearch(String collection, String queryText, float[] queryVector, int limit) {
    java.util.Objects.requireNonNull(collection, "collection");
    java.util.Objects.requireNonNull(queryText, "queryText");
    java.util.Objects.requireNonNull(queryVector, "queryVector");
    check(limit);
  }

  static int check(int limit) {
    if (limit < 1 || limit > MAX_ROWS) {
      throw new InvalidInputException("limit", "limit must be 1.." + MAX_ROWS + ", was " + limit);
    }
    return limit;
  }
}
