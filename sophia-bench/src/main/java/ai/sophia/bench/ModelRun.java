package ai.sophia.bench;

import java.util.List;

/**
 * What one ranking scored on the question set. {@code ranking} names it ({@code bm25-pages}, {@code
 * bm25-chunks}, {@code vector}, {@code hybrid}); {@code model} is the embedding model ("" for BM25
 * alone); {@code ranks} holds each question's rank in question order (0 = not retrieved).
 */
record ModelRun(
    String ranking,
    String model,
    Scores scores,
    int chunks,
    double queryMillisMedian,
    double queryMillisP95,
    List<Integer> ranks) {}
