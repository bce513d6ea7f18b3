package ai.sophia.cli;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.InvalidInputException;
import ai.sophia.ingest.IngestReport;
import ai.sophia.ingest.Ingestor;
import ai.sophia.server.Sophia;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sophia ingest <url|directory>}: crawls a site within its URL prefix, or reads a folder,
 * into the index that the {@code local} engine searches. A progress bar on stderr; a summary on
 * stdout. Exits 1 when no page was read at all (unchanged pages count as read).
 */
@Command(
    name = "ingest",
    description = "Read a site or a folder into Sophia's own index (the 'local' search engine).")
final class IngestCommand implements Callable<Integer> {
  private static final int SKIPPED_SHOWN = 20;

  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "URL|DIRECTORY",
      description =
          "An http(s) URL to crawl within its prefix, or a folder of HTML, Markdown and text.")
  String target;

  @Option(
      names = "--allow-private",
      description = "Let the crawler reach private and loopback addresses (an intranet).")
  boolean allowPrivate;

  @Option(
      names = "--max-pages",
      paramLabel = "N",
      description = "Read at most N pages (overrides ingest.max_pages).")
  Integer maxPages;

  @Option(
      names = "--max-depth",
      paramLabel = "N",
      description = "Follow links at most N steps from the start (overrides ingest.max_depth).")
  Integer maxDepth;

  @Override
  public Integer call() {
    Map<String, String> flags = new HashMap<>();
    if (maxPages != null) {
      if (maxPages < 1) {
        throw new InvalidInputException("--max-pages", "--max-pages must be at least 1");
      }
      flags.put(ConfigLoader.envName("ingest.max_pages"), Integer.toString(maxPages));
    }
    if (maxDepth != null) {
      if (maxDepth < 0) {
        throw new InvalidInputException("--max-depth", "--max-depth must be 0 or more");
      }
      flags.put(ConfigLoader.envName("ingest.max_depth"), Integer.toString(maxDepth));
    }
    SophiaConfig config = main.config(flags);
    ProgressPrinter progress =
        new ProgressPrinter(spec.commandLine().getErr(), System.console() != null);
    Ingestor.Result result;
    try (Sophia sophia = Sophia.open(config, main.env())) {
      result = sophia.ingestor().ingest(target, allowPrivate, progress);
    } finally {
      progress.finish();
    }
    print(result, config, spec.commandLine().getOut());
    if (result.report().pagesRead() == 0) {
      // Unchanged pages count as read; zero means every page failed or was skipped.
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "sophia: nothing was ingested from "
              + target.strip()
              + ": "
              + result.report().whyNothingRead());
      err.flush();
      return 1;
    }
    return 0;
  }

  private void print(Ingestor.Result result, SophiaConfig config, PrintWriter out) {
    IngestReport report = result.report();
    out.printf(
        "Ingested %s: %d pages read (%d new or changed, %d unchanged), %d passages indexed in %.1f s.%n",
        target.strip(),
        report.pagesRead(),
        result.stored(),
        result.unchanged(),
        result.passages(),
        result.millis() / 1000.0);
    if (!report.skipped().isEmpty()) {
      out.printf("Skipped %d:%n", report.skipped().size());
      report.skipped().stream()
          .limit(SKIPPED_SHOWN)
          .forEach(s -> out.printf("  %s — %s%n", s.location(), s.reason()));
      if (report.skipped().size() > SKIPPED_SHOWN) {
        out.printf("  … and %d more%n", report.skipped().size() - SKIPPED_SHOWN);
      }
    }
    if (!report.complete()) {
      out.printf(
          "Stopped early (page limit %d); raise it with --max-pages.%n",
          config.ingest().maxPages());
    }
    out.flush();
  }
}
