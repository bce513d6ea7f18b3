package ai.sophia.cli;

import ai.sophia.config.SophiaConfig;
import ai.sophia.error.InvalidInputException;
import ai.sophia.research.ResearchRequest;
import ai.sophia.research.ResearchRequests;
import ai.sophia.research.ResearchResult;
import ai.sophia.server.Sophia;
import ai.sophia.server.http.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sophia research "question"}: progress on stderr, the result on stdout — the answer with
 * its [n] markers and the numbered sources, or the API's JSON with {@code --json}.
 */
@Command(
    name = "research",
    description = "Research a question on the web and answer with cited sources.")
final class ResearchCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "QUESTION",
      description = "What to research (1 to 1000 characters).")
  String question;

  @Option(
      names = "--sources",
      paramLabel = "N",
      description = "How many sources to use, 1 to 20 (default 3).")
  Integer sources;

  @Option(
      names = "--engine",
      paramLabel = "E",
      description =
          "Search engine: duckduckgo, searxng, serper, brave, tavily or local (default: research.default_engine).")
  String engine;

  @Option(names = "--json", description = "Print the result as JSON (the /api/v1/chat response).")
  boolean json;

  @Override
  public Integer call() throws JsonProcessingException {
    SophiaConfig config = main.config();
    ResearchRequest request = validated(config);
    PrintWriter out = spec.commandLine().getOut();
    ProgressPrinter progress =
        new ProgressPrinter(spec.commandLine().getErr(), System.console() != null);
    ResearchResult result;
    try (Sophia sophia = Sophia.open(config, main.env())) {
      result = sophia.researcher().research(request, progress);
    } finally {
      progress.finish();
    }
    if (json) {
      out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
    } else {
      ResultText.print(result, out);
    }
    out.flush();
    return 0;
  }

  /** The API's rules, with the fields named as the flags a CLI user typed. */
  private ResearchRequest validated(SophiaConfig config) {
    try {
      return ResearchRequests.validate(
          question, sources, engine, config.research().defaultEngine());
    } catch (InvalidInputException e) {
      String flag =
          switch (e.field()) {
            case "sources_limit" -> "--sources";
            case "search_engine" -> "--engine";
            default -> "QUESTION";
          };
      throw new InvalidInputException(flag, flag + ": " + e.getMessage());
    }
  }
}
