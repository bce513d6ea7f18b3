package ai.sophia.cli;

import ai.sophia.agent.Agent;
import ai.sophia.server.Sophia;
import ai.sophia.server.http.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sophia agents}: every agent, its level, tools and health (whether it can act now). */
@Command(name = "agents", description = "List the agents, their tools and their health.")
final class AgentsCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the agents as JSON (the /api/v1/agents response).")
  boolean json;

  @Override
  public Integer call() throws JsonProcessingException {
    PrintWriter out = spec.commandLine().getOut();
    List<Map<String, Object>> agents = new ArrayList<>();
    try (Sophia sophia = Sophia.open(main.config(), main.env())) {
      for (Agent agent : sophia.agents().agents().list()) {
        agents.add(agent.describe());
      }
    }
    if (json) {
      out.println(
          Json.mapper()
              .writerWithDefaultPrettyPrinter()
              .writeValueAsString(Map.of("agents", agents)));
    } else {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NAME", "TYPE", "LEVEL", "TOOLS", "HEALTH"});
      for (Map<String, Object> a : agents) {
        @SuppressWarnings("unchecked")
        Map<String, Object> health = (Map<String, Object>) a.get("health");
        rows.add(
            new String[] {
              String.valueOf(a.get("name")),
              String.valueOf(a.get("type")),
              String.valueOf(a.get("level")),
              String.join(",", (List<String>) a.get("tools")),
              health.get("status") + ": " + health.get("detail")
            });
      }
      Table.print(rows, out);
    }
    out.flush();
    return 0;
  }
}
