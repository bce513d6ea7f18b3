package ai.sophia.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The research quality results: one {@link Outcome} per labelled question, and a Markdown summary
 * per question set and half (tune, report): how often an answering page is among the sources, how
 * often the answer quotes one, how often research abstains with and without one, how well
 * research_quality_score tells the two apart (AUROC, reliability table) and the latency.
 */
record ResearchQualityReport(
    String data, int sourcesLimit, String warmup, List<Outcome> questions) {

  static final String TUNE = "tune";
  static final String REPORT = "report";

  /** One question's research, as the harness saw it. */
  record Outcome(
      String question,
      String set,
      String half,
      @JsonProperty("labelled_pages") List<String> labelledPages,
      List<String> sources,
      @JsonProperty("answering_in_sources") boolean answeringInSources,
      @JsonProperty("answer_from_answering_page") boolean answerFromAnsweringPage,
      boolean abstained,
      @JsonProperty("research_quality_score") double researchQualityScore,
      Map<String, Double> quality,
      @JsonProperty("latency_ms") double latencyMs,
      @JsonProperty("timings_ms") Map<String, Long> timingsMs,
      String answer,
      String note) {}

  /** Odd data lines (the 1st, 3rd, …) tune, even lines report. */
  static String half(int dataLine) {
    return Question.tuneHalf(dataLine) ? TUNE : REPORT;
  }

  String markdown() {
    Map<String, List<Outcome>> groups = new LinkedHashMap<>();
    for (Outcome o : questions) {
      groups.computeIfAbsent(o.set() + " / " + o.half(), k -> new ArrayList<>()).add(o);
    }
    for (Outcome o : questions) {
      groups.computeIfAbsent(o.set() + " / all", k -> new ArrayList<>()).add(o);
    }
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Research quality over %s, search_engine local, sources_limit %d, offline%n%n",
            data,
            sourcesLimit));
    b.append(
        "| set / half | questions | answerable | answering page in sources | answer quotes an"
            + " answering page | answers that quote one | abstains: page in sources | abstains:"
            + " page not in sources | AUROC of score | latency median / p95 (ms) |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    groups.forEach((name, group) -> b.append(row(name, group)));
    groups.forEach(
        (name, group) -> {
          if (!name.endsWith(" / all")) {
            b.append(reliability(name, group));
          }
        });
    return b.toString();
  }

  private static String row(String name, List<Outcome> group) {
    List<Outcome> answerable =
        group.stream().filter(o -> !o.labelledPages().equals(List.of(Question.NO_PAGE))).toList();
    List<Outcome> found = group.stream().filter(Outcome::answeringInSources).toList();
    List<Outcome> missed = group.stream().filter(o -> !o.answeringInSources()).toList();
    double[] latency = group.stream().mapToDouble(Outcome::latencyMs).toArray();
    return String.format(
        Locale.ROOT,
        "| %s | %d | %d | %s | %s | %s | %s | %s | %.3f | %.0f / %.0f |%n",
        name,
        group.size(),
        answerable.size(),
        share(found.size(), answerable.size()),
        share(
            answerable.stream().filter(Outcome::answerFromAnsweringPage).count(),
            answerable.size()),
        share(
            group.stream().filter(Outcome::answerFromAnsweringPage).count(),
            group.stream().filter(o -> !o.abstained()).count()),
        share(found.stream().filter(Outcome::abstained).count(), found.size()),
        share(missed.stream().filter(Outcome::abstained).count(), missed.size()),
        Calibration.auroc(scores(group), labels(group)),
        Percentile.of(latency, 0.5),
        Percentile.of(latency, 0.95));
  }

  private static String reliability(String name, List<Outcome> group) {
    StringBuilder b = new StringBuilder();
    b.append("\nReliability of research_quality_score, ")
        .append(name)
        .append(": score bucket → questions, share with an answering page in the sources\n\n")
        .append("| score | questions | answering page in sources |\n| --- | ---: | ---: |\n");
    for (Calibration.Bucket bucket : Calibration.reliability(scores(group), labels(group))) {
      if (bucket.count() == 0) {
        continue;
      }
      b.append(
          String.format(
              Locale.ROOT,
              "| %.1f–%.1f | %d | %s |%n",
              bucket.low(),
              bucket.low() + 0.1,
              bucket.count(),
              share(bucket.positives(), bucket.count())));
    }
    return b.toString();
  }

  private static double[] scores(List<Outcome> group) {
    return group.stream().mapToDouble(Outcome::researchQualityScore).toArray();
  }

  private static boolean[] labels(List<Outcome> group) {
    boolean[] out = new boolean[group.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = group.get(i).answeringInSources();
    }
    return out;
  }

  private static String share(long part, long whole) {
    return whole == 0
        ? "–"
        : String.format(Locale.ROOT, "%.0f%% (%d/%d)", 100.0 * part / whole, part, whole);
  }
}
