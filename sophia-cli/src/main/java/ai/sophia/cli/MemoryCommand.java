package ai.sophia.cli;

import ai.sophia.config.SophiaConfig;
import ai.sophia.error.InvalidInputException;
import ai.sophia.research.ResearchRequests;
import ai.sophia.research.Researcher;
import ai.sophia.server.Sophia;
import ai.sophia.server.http.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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

/** {@code sophia memory}: what Sophia remembers from research and ingested documents. */
@Command(
    name = "memory",
    description = "Search what Sophia has researched and ingested.",
    subcommands = {MemoryCommand.Search.class})
final class MemoryCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return Main.missingSubcommand(spec);
  }

  /** {@code sophia memory search "q"}: semantic search, best passages first. */
  @Command(name = "search", description = "Semantic search over memory.")
  static final class Search implements Callable<Integer> {
    static final int MAX_LIMIT = 50;

    @ParentCommand MemoryCommand memory;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "QUERY", description = "What to look for.")
    String query;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "10",
        description = "At most N passages, 1 to 50 (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(
        names = "--json",
        description = "Print the results as JSON (the /api/v1/memory/search response).")
    boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
      String q = query.strip();
      if (q.isEmpty() || q.length() > ResearchRequests.MAX_QUERY_CHARS) {
        throw new InvalidInputException(
            "QUERY", "QUERY must be 1 to " + ResearchRequests.MAX_QUERY_CHARS + " characters");
      }
      ResearchRequests.searchable("QUERY", q);
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new InvalidInputException(
            "--limit", "--limit is " + limit + " but must be between 1 and " + MAX_LIMIT);
      }
      Main main = memory.main;
      List<Researcher.MemoryHit> hits;
      SophiaConfig config = main.config();
      Optional<ServerClient> server = ServerClient.beside(config);
      if (server.isPresent()) {
        // The server on this data directory holds the index: ask it.
        JsonNode answer =
            server
                .get()
                .get(
                    "/api/v1/memory/search?q="
                        + URLEncoder.encode(q, StandardCharsets.UTF_8)
                        + "&limit="
                        + limit);
        hits =
            ServerClient.JSON.convertValue(
                answer.path("results"), new TypeReference<List<Researcher.MemoryHit>>() {});
      } else {
        try (Sophia sophia = Sophia.open(config, main.env())) {
          hits = sophia.researcher().searchMemory(q, limit);
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(
            Json.mapper()
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(Map.of("query", q, "results", hits)));
      } else if (hits.isEmpty()) {
        out.println("Nothing in memory matches.");
      } else {
        int n = 1;
        for (Researcher.MemoryHit hit : hits) {
          out.printf(
              "%d. %s (%.2f, %s)%n   %s%n   %s%n",
              n++,
              hit.title().isBlank() ? hit.url() : hit.title(),
              hit.relevanceScore(),
              hit.collection(),
              hit.url(),
              excerpt(hit.text()));
        }
      }
      out.flush();
      return 0;
    }

    private static String excerpt(String text) {
      String flat = text.replaceAll("\\s+", " ").strip();
      return flat.length() <= 200 ? flat : flat.substring(0, 199) + "…";
    }
  }
}
