package ai.sophia.bench;

import ai.sophia.ingest.Ingestor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Research latency results: request-to-answer time over all samples and, per stage, its median, p95
 * and share of the summed request time. Time not covered by any reported stage is shown as {@code
 * other}, so the shares add up to 100%.
 */
record LatencyReport(
    String corpus,
    int pages,
    int pagesEmbedded,
    int passagesEmbedded,
    long ingestMillis,
    String model,
    int sourcesLimit,
    int warmup,
    int requests,
    int answered,
    double meanSources,
    double medianMillis,
    double p95Millis,
    double meanMillis,
    List<StageShare> stages,
    List<ResearchLatency.Sample> samples) {

  /** One stage of research: how long it took (median, p95) and its share of all request time. */
  record StageShare(String stage, double medianMillis, double p95Millis, double share) {}

  // "total" is the service's own sum of the stages before it: not a stage.
  private static final String TOTAL = "total";

  static LatencyReport of(
      String corpus,
      Ingestor.Result ingested,
      String model,
      int sourcesLimit,
      int warmup,
      List<ResearchLatency.Sample> samples) {
    double[] wall = samples.stream().mapToDouble(ResearchLatency.Sample::millis).toArray();
    double wallSum = 0;
    for (double w : wall) {
      wallSum += w;
    }
    Set<String> names = new LinkedHashSet<>();
    samples.forEach(s -> names.addAll(s.stages().keySet()));
    names.remove(TOTAL);
    List<StageShare> stages = new ArrayList<>();
    double[] other = wall.clone();
    for (String name : names) {
      double[] values = new double[samples.size()];
      double sum = 0;
      for (int i = 0; i < samples.size(); i++) {
        values[i] = samples.get(i).stages().getOrDefault(name, 0L);
        sum += values[i];
        other[i] -= values[i];
      }
      stages.add(
          new StageShare(
              name, Percentile.of(values, 0.5), Percentile.of(values, 0.95), sum / wallSum));
    }
    double otherSum = 0;
    for (int i = 0; i < other.length; i++) {
      other[i] = Math.max(0, other[i]);
      otherSum += other[i];
    }
    stages.add(
        new StageShare(
            "other", Percentile.of(other, 0.5), Percentile.of(other, 0.95), otherSum / wallSum));
    return new LatencyReport(
        corpus,
        ingested.stored() + ingested.unchanged(),
        ingested.stored(),
        ingested.passages(),
        ingested.millis(),
        model,
        sourcesLimit,
        warmup,
        samples.size(),
        (int) samples.stream().filter(ResearchLatency.Sample::answered).count(),
        samples.stream().mapToInt(ResearchLatency.Sample::sources).average().orElse(0),
        Percentile.of(wall, 0.5),
        Percentile.of(wall, 0.95),
        wallSum / samples.size(),
        stages,
        samples);
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "%nResearch over %s: %d pages (ingest in this run: %d pages, %d passages embedded in"
                + " %.1f s; the rest were indexed already), embedding model %s; %d requests one"
                + " after another (after %d warm-up), search_engine local, sources_limit %d; %d"
                + " answered, %.1f sources on average.%n%n",
            corpus,
            pages,
            pagesEmbedded,
            passagesEmbedded,
            ingestMillis / 1000.0,
            model,
            requests,
            warmup,
            sourcesLimit,
            answered,
            meanSources));
    md.append("| request to answer | median | p95 | mean |\n|---|---:|---:|---:|\n");
    md.append(
        String.format(
            Locale.ROOT,
            "| all stages | %.0f ms | %.0f ms | %.0f ms |%n%n",
            medianMillis,
            p95Millis,
            meanMillis));
    md.append("| stage | median | p95 | share of time |\n|---|---:|---:|---:|\n");
    for (StageShare s : stages) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.0f ms | %.0f ms | %.1f%% |%n",
              s.stage(),
              s.medianMillis(),
              s.p95Millis(),
              100 * s.share()));
    }
    return md.toString();
  }
}
