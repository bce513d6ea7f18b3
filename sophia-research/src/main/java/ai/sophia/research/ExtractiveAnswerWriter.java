package ai.sophia.research;

import ai.sophia.embedding.Embedder;
import ai.sophia.model.CallContext;
import com.github.benmanes.caffeine.cache.Cache;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Offline answers: every sentence is quoted from a fetched source, chosen by similarity to the
 * query, so every [n] is supported by construction. Summaries are each source's two sentences
 * closest to the query, in the source's own order. The answer picks up to {@link #ANSWER_SENTENCES}
 * sentences by maximal marginal relevance, so it does not repeat itself, and at most two from one
 * source, so it spreads across sources.
 */
final class ExtractiveAnswerWriter implements AnswerWriter {
  static final int SUMMARY_SENTENCES = 2;
  static final int ANSWER_SENTENCES = 4;
  static final int MAX_PER_SOURCE = 2;

  /** Below this cosine a sentence is too far from the question to be part of the answer. */
  static final double MIN_ANSWER_SIMILARITY = 0.35;

  private static final double MMR_LAMBDA = 0.7;
  private static final int MAX_SENTENCES_SCANNED = 60;
  private static final int EMBEDDED_PER_SOURCE = 8;

  private final Embedder embedder;
  private final Cache<String, float[]> sentences;

  /**
   * {@code sentences} remembers sentence embeddings: popular pages are quoted again and again, and
   * embedding is nearly all of this writer's cost.
   */
  ExtractiveAnswerWriter(Embedder embedder, Cache<String, float[]> sentences) {
    this.embedder = embedder;
    this.sentences = sentences;
  }

  @Override
  public Written write(
      String query, float[] queryVector, List<SourceText> sources, CallContext context) {
    Set<String> queryTerms = Terms.of(query);
    List<Candidate> candidates = new ArrayList<>();
    for (SourceText source : sources) {
      List<Candidate> own = new ArrayList<>();
      for (String passage : source.passages()) {
        for (String sentence : Sentences.split(passage)) {
          if (own.size() < MAX_SENTENCES_SCANNED) {
            Candidate c = new Candidate(source.index(), own.size(), sentence);
            c.overlap = Terms.overlap(queryTerms, sentence);
            own.add(c);
          }
        }
      }
      // Embedding is the cost: only the sentences sharing most words with the question (ties:
      // earliest, as passages come best first) are embedded and compared.
      own.sort(Comparator.comparingInt((Candidate c) -> -c.overlap).thenComparingInt(c -> c.order));
      candidates.addAll(own.subList(0, Math.min(EMBEDDED_PER_SOURCE, own.size())));
    }
    List<float[]> vectors = embed(candidates.stream().map(Candidate::text).toList());
    for (int i = 0; i < candidates.size(); i++) {
      candidates.get(i).vector = vectors.get(i);
      candidates.get(i).similarity = Vectors.cosine(queryVector, vectors.get(i));
    }
    Map<Integer, String> summaries = new LinkedHashMap<>();
    for (SourceText source : sources) {
      summaries.put(source.index(), summarize(source, candidates));
    }
    return Written.extractive(summaries, chooseClaims(candidates));
  }

  /** Embeds the sentences the cache does not know, in one batch. */
  private List<float[]> embed(List<String> texts) {
    Map<String, float[]> known = sentences.getAllPresent(texts);
    List<String> missing = texts.stream().filter(t -> !known.containsKey(t)).distinct().toList();
    Map<String, float[]> all = new java.util.HashMap<>(known);
    if (!missing.isEmpty()) {
      List<float[]> fresh = embedder.embedPassages(missing);
      for (int i = 0; i < missing.size(); i++) {
        all.put(missing.get(i), fresh.get(i));
        sentences.put(missing.get(i), fresh.get(i));
      }
    }
    return texts.stream().map(all::get).toList();
  }

  private static String summarize(SourceText source, List<Candidate> all) {
    List<Candidate> own =
        all.stream()
            .filter(c -> c.source == source.index())
            .sorted(Comparator.comparingDouble((Candidate c) -> c.similarity).reversed())
            .limit(SUMMARY_SENTENCES)
            .sorted(Comparator.comparingInt(c -> c.order))
            .toList();
    if (own.isEmpty()) {
      // No quotable sentence (a table, a list): fall back to the opening of the best passage.
      String first = source.passages().isEmpty() ? "" : source.passages().getFirst().strip();
      return first.length() <= 300 ? first : first.substring(0, 297).strip() + "...";
    }
    return String.join(" ", own.stream().map(Candidate::text).toList());
  }

  private static List<Claim> chooseClaims(List<Candidate> candidates) {
    List<Candidate> pool =
        new ArrayList<>(
            candidates.stream().filter(c -> c.similarity >= MIN_ANSWER_SIMILARITY).toList());
    List<Candidate> chosen = new ArrayList<>();
    Map<Integer, Integer> perSource = new LinkedHashMap<>();
    while (chosen.size() < ANSWER_SENTENCES && !pool.isEmpty()) {
      Candidate best = null;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (Candidate c : pool) {
        if (perSource.getOrDefault(c.source, 0) >= MAX_PER_SOURCE) {
          continue;
        }
        double redundancy = 0;
        for (Candidate taken : chosen) {
          redundancy = Math.max(redundancy, Vectors.cosine(c.vector, taken.vector));
        }
        double score = MMR_LAMBDA * c.similarity - (1 - MMR_LAMBDA) * redundancy;
        if (score > bestScore) {
          bestScore = score;
          best = c;
        }
      }
      if (best == null) {
        break;
      }
      pool.remove(best);
      chosen.add(best);
      perSource.merge(best.source, 1, Integer::sum);
    }
    return chosen.stream().map(c -> Claim.quoted(c.text, c.source)).toList();
  }

  private static final class Candidate {
    final int source;
    final int order;
    final String text;
    int overlap;
    float[] vector;
    double similarity;

    Candidate(int source, int order, String text) {
      this.source = source;
      this.order = order;
      this.text = text;
    }

    String text() {
      return text;
    }
  }
}
