package ai.sophia.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.sophia.ingest.IngestReport;
import ai.sophia.ingest.Ingestor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyReportTest {
  private static Map<String, Long> stages(long scale) {
    Map<String, Long> stages = new LinkedHashMap<>();
    stages.put("search", 10 * scale);
    stages.put("fetch", 20 * scale);
    stages.put("rank", 30 * scale);
    stages.put("summarize", 20 * scale);
    stages.put("total", 80 * scale);
    stages.put("store", 5 * scale);
    return stages;
  }

  @Test
  void of_twoRequests_sharesAddUpWithUnreportedTimeAsOther() {
    List<ResearchLatency.Sample> samples =
        List.of(
            new ResearchLatency.Sample("a", 100, stages(1), 3, true),
            new ResearchLatency.Sample("b", 200, stages(2), 0, false));
    Ingestor.Result ingested =
        new Ingestor.Result(new IngestReport(7, List.of(), true), 7, 0, 70, 1500);

    LatencyReport report = LatencyReport.of("/docs", ingested, "bge-small-en-v1.5", 3, 0, samples);

    assertThat(report.stages())
        .extracting(LatencyReport.StageShare::stage)
        .containsExactly("search", "fetch", "rank", "summarize", "store", "other");
    assertThat(report.stages())
        .extracting(LatencyReport.StageShare::share)
        .containsExactly(0.1, 0.2, 0.3, 0.2, 0.05, 0.15);
    assertThat(report.stages().stream().mapToDouble(LatencyReport.StageShare::share).sum())
        .isCloseTo(1.0, within(1e-9));
    assertThat(report.medianMillis()).isEqualTo(100);
    assertThat(report.p95Millis()).isEqualTo(200);
    assertThat(report.answered()).isEqualTo(1);
    assertThat(report.meanSources()).isEqualTo(1.5);
    assertThat(report.markdown()).contains("| rank | 30 ms | 60 ms | 30.0% |");
  }
}
