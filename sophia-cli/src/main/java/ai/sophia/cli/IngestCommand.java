package ai.sophia.cli;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.SophiaException;
import ai.sophia.ingest.IngestReport;
import ai.sophia.ingest.Ingestor;
import ai.sophia.server.Sophia;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * stdout. Exits 1 when no page was read at all (unchanged pages count as read). Beside a running
 * {@code sophia serve} on the same data directory, the ingest runs in that server.
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
    try {
      Optional<ServerClient> server = ServerClient.beside(config);
      if (server.isPresent()) {
        result = throughServer(server.get(), progress);
      } else {
        try (Sophia sophia = Sophia.open(config, main.env())) {
          result = sophia.ingestor().ingest(target, allowPrivate, progress);
        }
      }
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

  /**
   * The server on this data directory holds the index: the ingest runs there ({@code POST
   * /api/v1/ingest}) and its events drive the same progress bar. A folder is sent as an absolute
   * path, since the server's working directory is not this one.
   */
  private Ingestor.Result throughServer(ServerClient server, ProgressPrinter progress) {
    Map<String, Object> body = new LinkedHashMap<>();
    String stripped = target.strip();
    if (Ingestor.isUrl(stripped)) {
      body.put("url", stripped);
    } else {
      Ingestor.check(stripped);
      body.put("path", Path.of(stripped).toAbsolutePath().normalize().toString());
    }
    if (maxPages != null) {
      body.put("max_pages", maxPages);
    }
    if (maxDepth != null) {
      body.put("max_depth", maxDepth);
    }
    if (allowPrivate) {
      body.put("allow_private", true);
    }
    JsonNode started = server.post("/api/v1/ingest", body);
    spec.commandLine()
        .getErr()
        .println(
            "ingest " + started.path("id").asText() + " runs on the server at " + server.url());
    JsonNode[] job = new JsonNode[1];
    server.events(
        started.path("links").path("events").asText(),
        null,
        e -> {
          if (e.name().equals("done")) {
            job[0] = e.data().path("job");
            return true;
          }
          int read = e.data().path("pages_read").asInt();
          if (read > 0 || !e.data().path("url").asText().isEmpty()) {
            progress.update(
                read, e.data().path("pages_queued").asInt(), e.data().path("url").asText());
          }
          return false;
        });
    JsonNode v = job[0];
    if (v.path("status").asText().equals("failed")
        && !v.path("error").asText().startsWith("nothing was ingested")) {
      throw new SophiaException(
          "the ingest failed on the server: " + v.path("error").asText(), true);
    }
    List<IngestReport.Skipped> skipped = new ArrayList<>();
    v.path("skipped")
        .forEach(
            s ->
                skipped.add(
                    new IngestReport.Skipped(
                        s.path("location").asText(), s.path("reason").asText())));
    long millis =
        v.hasNonNull("started_at") && v.hasNonNull("finished_at")
            ? Duration.between(
                    Instant.parse(v.path("started_at").asText()),
                    Instant.parse(v.path("finished_at").asText()))
                .toMillis()
            : 0;
    return new Ingestor.Result(
        new IngestReport(v.path("pages_read").asInt(), skipped, v.path("complete").asBoolean()),
        v.path("pages_indexed").asInt(),
        v.path("pages_unchanged").asInt(),
        v.path("passages").asInt(),
        millis);
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
