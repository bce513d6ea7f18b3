package ai.sophia.research;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/** The words of a text as the index sees them: English stems without stop words. */
final class Terms {
  private static final Analyzer ANALYZER = new EnglishAnalyzer();

  private Terms() {}

  static Set<String> of(String text) {
    Set<String> out = new HashSet<>();
    try (TokenStream stream = ANALYZER.tokenStream("text", text)) {
      CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
      stream.reset();
      while (stream.incrementToken()) {
        out.add(term.toString());
      }
      stream.end();
    } catch (IOException e) {
      throw new UncheckedIOException("analysing text in memory failed", e);
    }
    return out;
  }

  /** How many of {@code terms} occur in {@code text}. */
  static int overlap(Set<String> terms, String text) {
    if (terms.isEmpty()) {
      return 0;
    }
    Set<String> own = of(text);
    int n = 0;
    for (String t : terms) {
      if (own.contains(t)) {
        n++;
      }
    }
    return n;
  }
}
