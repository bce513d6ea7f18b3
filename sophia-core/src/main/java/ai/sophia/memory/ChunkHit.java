package ai.sophia.memory;

/**
 * A chunk found by a search. {@code textScore} is the BM25 score (0 when the text query did not
 * match), {@code vectorScore} the cosine similarity of the chunk to the query vector (0 in a
 * text-only search), {@code score} the fused relevance in [0, 1].
 */
public record ChunkHit(Chunk chunk, double textScore, double vectorScore, double score) {}
