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
import java.util.LinkedHashMap;
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
 * {@code sophia research "question"}: progress on stderr, the result on stdout — the answer with
 * its [n] markers and the numbered sources, or the API's JSON with {@code --json}. Beside a running
 * {@code sophia serve} on the same data directory, through that server's API.
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
    try {
      Optional<ServerClient> server = ServerClient.beside(config);
      result =
          server.isPresent()
              ? throughServer(server.get(), request, progress)
              : here(config, request, progress);
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

  private ResearchResult here(
      SophiaConfig config, ResearchRequest request, ProgressPrinter progress) {
    try (Sophia sophia = Sophia.open(config, main.env())) {
      return sophia.researcher().research(request, progress);
    }
  }

  /**
   * The server on this data directory holds its index: research through its API, stage by stage.
   */
  private static ResearchResult throughServer(
      ServerClient server, ResearchRequest request, ProgressPrinter progress) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query", request.query());
    body.put("sources_limit", request.sourcesLimit());
    body.put("search_engine", request.searchEngine());
    ResearchResult[] result = new ResearchResult[1];
    server.events(
        "/api/v1/chat",
        body,
        e ->
            switch (e.name()) {
              case "stage" -> {
                progress.update(
                    e.data().path("stage").asText(),
                    e.data().path("done").asInt(),
                    e.data().path("total").asInt());
                yield false;
              }
              case "result" -> {
                result[0] = read(e.data());
                yield true;
              }
              case "error" -> throw ServerClient.failure(e.data());
              default -> false;
            });
    return result[0];
  }

  private static ResearchResult read(com.fasterxml.jackson.databind.JsonNode data) {
    try {
      return ServerClient.JSON.treeToValue(data, ResearchResult.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the server's research result is unreadable", e);
    }
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
