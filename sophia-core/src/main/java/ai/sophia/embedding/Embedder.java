package ai.sophia.embedding;

import java.util.List;

/** Turns text into normalized vectors, in process. Thread-safe; loads its model lazily. */
public interface Embedder {
  /** Model name, e.g. {@code bge-small-en-v1.5}. */
  String model();

  int dimension();

  /** Embeds a search query (some models want a query instruction prefix). */
  float[] embedQuery(String query);

  /** Embeds passages to be searched, batched. */
  List<float[]> embedPassages(List<String> passages);
}
