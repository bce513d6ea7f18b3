package ai.sophia.research;

/** Vector arithmetic on embeddings. */
final class Vectors {
  private Vectors() {}

  /** Cosine similarity; embeddings are normalized, but do not rely on it. */
  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }
}
