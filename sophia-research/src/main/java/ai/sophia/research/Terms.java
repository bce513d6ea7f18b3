package ai.sophia.research;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;

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

  /** A term and where in the text its word starts. */
  record Positioned(String term, int start) {}

  /** The terms of a text in order, each with the offset of its word. */
  static List<Positioned> positioned(String text) {
    List<Positioned> out = new ArrayList<>();
    try (TokenStream stream = ANALYZER.tokenStream("text", text)) {
      CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
      OffsetAttribute offset = stream.addAttribute(OffsetAttribute.class);
      stream.reset();
      while (stream.incrementToken()) {
        out.add(new Positioned(term.toString(), offset.startOffset()));
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
