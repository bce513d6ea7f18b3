package ai.sophia.research;

import ai.sophia.embedding.Embedder;
import ai.sophia.memory.PageFusion;
import com.github.benmanes.caffeine.cache.Cache;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scores the extractive writer's candidates. The candidates are each source's best-ranked passage
 * (the hybrid search's choice): on the tune half of bench/retrieval/questions.tsv, also scoring a
 * source's second and third passages picked the same passages at three times the embedding cost. A
 * passage's score is the cosine between the question and the passage's embedding, less {@link
 * #RANK_PENALTY} per place its source ranks below the first (adding the share of the question's
 * terms a passage contains, plain or rarity-weighted, told answering passages apart no better). For
 * a query typed as keywords ({@link PageFusion.Style}) the penalty is {@link
 * #KEYWORDS_RANK_PENALTY}, so the sources' order decides: a few words' embedding says little about
 * which passage answers, and the page ranking (BM25 of the exact words included) says more
 * (BENCHMARKS.md, "Research quality"). Within a passage, a window of one to {@link #MAX_WINDOW}
 * contiguous quotable sentences is scored by the cosine between the question and the sum of its
 * sentences' vectors. Vectors are cached by text: popular pages are quoted again and again, and
 * embedding is nearly all of the cost.
 */
final class PassageScorer {
  static final int MAX_WINDOW = 3;
  static final double RANK_PENALTY = 0.02;
  static final double KEYWORDS_RANK_PENALTY = 1.0;

  private final Embedder embedder;
  private final Cache<String, float[]> vectors;

  PassageScorer(Embedder embedder, Cache<String, float[]> vectors) {
    this.embedder = embedder;
    this.vectors = vectors;
  }

  /**
   * A source's best-ranked passage: its cosine to the question, and its score (the cosine less the
   * penalty for its source's place), by which the writer tries the passages.
   */
  record Passage(int source, String text, double cosine, double score) {}

  /** A quotable sentence of a source: its place in the source's passage and its closeness. */
  record Quote(int source, int order, String text, double similarity, float[] vector) {}

  /** Contiguous sentences of one passage, in the source's order. */
  record Window(int source, List<Quote> quotes, double similarity) {
    List<String> sentences() {
      return quotes.stream().map(Quote::text).toList();
    }
  }

  /** Each source's best-ranked passage, scored, best first. */
  List<Passage> passages(String query, float[] queryVector, List<AnswerWriter.SourceText> sources) {
    double penalty =
        PageFusion.Style.of(query) == PageFusion.Style.KEYWORDS
            ? KEYWORDS_RANK_PENALTY
            : RANK_PENALTY;
    List<AnswerWriter.SourceText> quotable =
        sources.stream().filter(s -> !s.passages().isEmpty()).toList();
    Map<String, float[]> embedded =
        embed(quotable.stream().map(s -> s.passages().getFirst()).toList());
    List<Passage> out = new ArrayList<>();
    for (AnswerWriter.SourceText source : quotable) {
      String text = source.passages().getFirst();
      int place = sources.indexOf(source);
      double cosine = Vectors.cosine(queryVector, embedded.get(text));
      out.add(new Passage(source.index(), text, cosine, cosine - penalty * place));
    }
    out.sort(
        Comparator.comparingDouble(Passage::score).reversed().thenComparingInt(Passage::source));
    return out;
  }

  /** The quotable sentences of each passage, in runs of contiguous sentences, embedded at once. */
  Map<Passage, List<List<Quote>>> quotes(float[] queryVector, List<Passage> passages) {
    Map<Passage, List<List<String>>> runs = new HashMap<>();
    List<String> texts = new ArrayList<>();
    for (Passage p : passages) {
      List<List<String>> own = Sentences.runs(p.text());
      runs.put(p, own);
      own.forEach(texts::addAll);
    }
    Map<String, float[]> embedded = embed(texts);
    Map<Passage, List<List<Quote>>> out = new HashMap<>();
    for (Passage p : passages) {
      List<List<Quote>> own = new ArrayList<>();
      int order = 0;
      for (List<String> run : runs.get(p)) {
        List<Quote> quotes = new ArrayList<>();
        for (String text : run) {
          float[] v = embedded.get(text);
          quotes.add(new Quote(p.source(), order++, text, Vectors.cosine(queryVector, v), v));
        }
        own.add(quotes);
      }
      out.put(p, own);
    }
    return out;
  }

  /** The window of the passage's runs closest to the question; empty when nothing is quotable. */
  static Optional<Window> bestWindow(float[] queryVector, List<List<Quote>> runs) {
    Window best = null;
    for (List<Quote> run : runs) {
      for (int i = 0; i < run.size(); i++) {
        for (int j = i + 1; j <= Math.min(run.size(), i + MAX_WINDOW); j++) {
          List<Quote> window = run.subList(i, j);
          double similarity = Vectors.cosine(queryVector, sum(window));
          if (best == null || similarity > best.similarity()) {
            best = new Window(window.getFirst().source(), List.copyOf(window), similarity);
          }
        }
      }
    }
    return Optional.ofNullable(best);
  }

  private static float[] sum(List<Quote> window) {
    float[] out = new float[window.getFirst().vector().length];
    for (Quote q : window) {
      for (int i = 0; i < out.length; i++) {
        out[i] += q.vector()[i];
      }
    }
    return out;
  }

  /** Embeds the texts the cache does not know, in one batch. */
  private Map<String, float[]> embed(List<String> texts) {
    Map<String, float[]> all = new HashMap<>(vectors.getAllPresent(texts));
    List<String> missing = texts.stream().filter(t -> !all.containsKey(t)).distinct().toList();
    if (!missing.isEmpty()) {
      List<float[]> fresh = embedder.embedPassages(missing);
      for (int i = 0; i < missing.size(); i++) {
        all.put(missing.get(i), fresh.get(i));
        vectors.put(missing.get(i), fresh.get(i));
      }
    }
    return all;
  }
}
