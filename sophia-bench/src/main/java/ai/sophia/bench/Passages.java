package ai.sophia.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits text into overlapping windows of words, the passages that are embedded and indexed. The
 * overlap keeps a sentence that straddles a boundary whole in at least one passage.
 */
final class Passages {
  private Passages() {}

  static List<String> split(String text, int maxWords, int overlapWords) {
    if (maxWords <= 0 || overlapWords < 0 || overlapWords >= maxWords) {
      throw new IllegalArgumentException("need 0 <= overlap < maxWords");
    }
    String[] words = text.strip().split("\\s+");
    if (words.length == 1 && words[0].isEmpty()) {
      return List.of();
    }
    List<String> passages = new ArrayList<>();
    int step = maxWords - overlapWords;
    for (int start = 0; start < words.length; start += step) {
      int end = Math.min(words.length, start + maxWords);
      passages.add(String.join(" ", Arrays.copyOfRange(words, start, end)));
      if (end == words.length) {
        break;
      }
    }
    return passages;
  }
}
