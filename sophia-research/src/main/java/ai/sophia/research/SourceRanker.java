package ai.sophia.research;

import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.PageHit;
import ai.sophia.memory.PageSignals;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses research's sources among the pages it gathered: ranks them as the {@code local} engine
 * ranks the index ({@link DocumentIndex#searchPages}), then spreads the choice across hosts.
 */
final class SourceRanker {
  /** A page whose host is already among the sources ranks as if this much less relevant. */
  private static final double SAME_HOST_PENALTY = 0.85;

  private static final int PASSAGES_PER_SOURCE = 3;

  private final DocumentIndex index;

  SourceRanker(DocumentIndex index) {
    this.index = index;
  }

  record Ranked(SourcePage page, double relevance, PageSignals signals, List<String> passages) {}

  /**
   * Ranks pages as the {@code local} engine does ({@link DocumentIndex#searchPages}), then picks
   * {@code sourcesLimit} of them greedily, discounting a page whose host is already chosen so
   * sources spread across sites.
   */
  Ranking rank(ResearchRequest request, float[] queryVector, List<SourcePage> pages) {
    if (pages.isEmpty()) {
      return new Ranking(List.of(), 0);
    }
    Map<String, SourcePage> byUrl = new LinkedHashMap<>();
    Map<String, Set<String>> urlsByCollection = new HashMap<>();
    for (SourcePage page : pages) {
      byUrl.put(page.url(), page);
      urlsByCollection.computeIfAbsent(page.collection(), c -> new HashSet<>()).add(page.url());
    }
    List<Ranked> all = new ArrayList<>();
    urlsByCollection.forEach(
        (collection, urls) -> {
          for (PageHit hit :
              index.searchPages(collection, urls, request.query(), queryVector, urls.size())) {
            List<String> passages =
                hit.passages().stream()
                    .limit(PASSAGES_PER_SOURCE)
                    .map(h -> h.chunk().text())
                    .toList();
            all.add(new Ranked(byUrl.get(hit.url()), hit.score(), hit.signals(), passages));
          }
        });
    all.removeIf(r -> r.page == null);
    List<Ranked> chosen = new ArrayList<>();
    Set<String> hosts = new LinkedHashSet<>();
    while (chosen.size() < request.sourcesLimit() && !all.isEmpty()) {
      Ranked best =
          all.stream()
              .max(
                  Comparator.comparingDouble(
                      r ->
                          hosts.contains(QualityScore.host(r.page.url()))
                              ? r.relevance * SAME_HOST_PENALTY
                              : r.relevance))
              .orElseThrow();
      all.remove(best);
      chosen.add(best);
      hosts.add(QualityScore.host(best.page.url()));
    }
    chosen.sort(Comparator.comparingDouble(Ranked::relevance).reversed());
    double rest = all.stream().mapToDouble(r -> r.signals.cosine()).max().orElse(Double.NaN);
    double best = chosen.stream().mapToDouble(r -> r.signals.cosine()).max().orElse(0);
    return new Ranking(chosen, Double.isNaN(rest) ? 0 : Math.max(0, best - rest));
  }

  /**
   * The chosen sources and their lead: how much closer the closest passage among them is to the
   * question than the closest passage of any page left out (0 when none was left out).
   */
  record Ranking(List<Ranked> chosen, double lead) {}
}
