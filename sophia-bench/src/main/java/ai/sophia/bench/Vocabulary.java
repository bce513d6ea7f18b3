package ai.sophia.bench;

import ai.sophia.embedding.Embedder;
import ai.sophia.web.ExtractedPage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * The corpus's words embedded one by one, for query expansion by meaning ({@link RankingLab}'s
 * {@code expansionBm25}): the analysed terms whose word lies nearest the query's vector, outside
 * the query's own terms, become a second BM25 query. A lab experiment for issue 12 (does it bridge
 * "stop … runs too long" to "timeout"?); nothing in Sophia uses it.
 */
final class Vocabulary {
  private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9_]{2,30}");
  private static final int MIN_PAGES = 3;

  private final List<String> terms;
  private final float[][] vectors;
  private final int size = Integer.getInteger("sophia.lab.expand.k", 8);

  private Vocabulary(List<String> terms, float[][] vectors) {
    this.terms = terms;
    this.vectors = vectors;
  }

  /** Every word of at least three pages, one per analysed term (its most frequent form). */
  static Vocabulary of(List<ExtractedPage> pages, Embedder embedder, Analyzer analyzer) {
    long start = System.nanoTime();
    Map<String, Integer> pageCount = new HashMap<>();
    for (ExtractedPage page : pages) {
      Set<String> seen = new HashSet<>();
      Matcher m = WORD.matcher((page.title() + " " + page.text()).toLowerCase(Locale.ROOT));
      while (m.find()) {
        seen.add(m.group());
      }
      seen.forEach(w -> pageCount.merge(w, 1, Integer::sum));
    }
    Map<String, String> bestWord = new HashMap<>();
    pageCount.forEach(
        (word, count) -> {
          if (count < MIN_PAGES || count > pages.size() / 2) {
            return;
          }
          String term = analysed(analyzer, word);
          if (term == null) {
            return;
          }
          bestWord.merge(term, word, (a, b) -> pageCount.get(a) >= pageCount.get(b) ? a : b);
        });
    List<String> terms = new ArrayList<>(bestWord.keySet());
    terms.sort(Comparator.naturalOrder());
    List<String> words = terms.stream().map(bestWord::get).toList();
    List<float[]> embedded = new ArrayList<>();
    for (int from = 0; from < words.size(); from += 256) {
      embedded.addAll(
          embedder.embedPassages(words.subList(from, Math.min(words.size(), from + 256))));
    }
    System.out.printf(
        Locale.ROOT,
        "Vocabulary: %d terms embedded in %.1f s%n",
        terms.size(),
        (System.nanoTime() - start) / 1e9);
    return new Vocabulary(terms, embedded.toArray(float[][]::new));
  }

  /** The analysed terms nearest the query's vector, not among its own terms, with their cosine. */
  Map<String, Double> expand(float[] query, Set<String> own) {
    double[] cos = new double[vectors.length];
    for (int i = 0; i < vectors.length; i++) {
      double s = 0;
      for (int k = 0; k < query.length; k++) {
        s += query[k] * vectors[i][k];
      }
      cos[i] = s;
    }
    Map<String, Double> out = new LinkedHashMap<>();
    IntStream.range(0, cos.length)
        .boxed()
        .filter(i -> !own.contains(terms.get(i)))
        .sorted(Comparator.comparingDouble((Integer i) -> -cos[i]))
        .limit(size)
        .forEach(i -> out.put(terms.get(i), cos[i]));
    return out;
  }

  private static String analysed(Analyzer analyzer, String word) {
    try (TokenStream tokens = analyzer.tokenStream("body", word)) {
      CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
      tokens.reset();
      String out = tokens.incrementToken() ? term.toString() : null;
      tokens.end();
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
