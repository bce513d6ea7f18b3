package ai.sophia.agent;

import ai.sophia.tool.AskAgentTool;
import ai.sophia.tool.MemorySearchTool;
import ai.sophia.tool.ResearchTool;
import ai.sophia.tool.ToolOutput;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What agents do without a model (offline mode): rules instead of reasoning, through the same tool
 * gates as the model loop. Research runs the research tool on the question; analysis digests the
 * top memory hits with their sources; the coordinator splits the task into sub-tasks, routes each
 * to research or analysis by keywords, and joins the answers; an agent without a rule says so.
 */
final class OfflineAgents {
  private static final int DIGEST_HITS = 3;
  private static final int DIGEST_SENTENCES = 2;

  private final AgentRunner runner;

  OfflineAgents(AgentRunner runner) {
    this.runner = runner;
  }

  AgentRunner.Outcome run(AgentDefinition def, AgentRun run, String why) {
    String input = run.request().input();
    String behaviour = behaviour(def);
    return switch (behaviour) {
      case "research" -> research(def, run, input, why);
      case "analysis" -> analysis(def, run, input, why);
      case "coordinator" -> coordinate(def, run, input, why);
      default ->
          new AgentRunner.Outcome(
              "Agent "
                  + def.name()
                  + " has no offline rule: it needs a model to work, and none is available.",
              why);
    };
  }

  /** The rule an agent follows offline: its built-in type's, else one its tools allow. */
  private static String behaviour(AgentDefinition def) {
    if (!def.type().equals(AgentDefinitions.CUSTOM)) {
      return def.type();
    }
    if (def.tools().contains(ResearchTool.NAME)) {
      return "research";
    }
    return def.tools().contains(MemorySearchTool.NAME) ? "analysis" : "none";
  }

  private AgentRunner.Outcome research(AgentDefinition def, AgentRun run, String q, String why) {
    ToolOutput out = call(def, run, "offline-research", ResearchTool.NAME, args("query", q));
    return new AgentRunner.Outcome(out.text(), why);
  }

  private AgentRunner.Outcome analysis(AgentDefinition def, AgentRun run, String q, String why) {
    ToolOutput out =
        call(
            def,
            run,
            "offline-memory",
            MemorySearchTool.NAME,
            args("query", q, "limit", DIGEST_HITS));
    if (out instanceof ToolOutput.Failure) {
      return new AgentRunner.Outcome("", why + "; memory search failed: " + out.text());
    }
    return new AgentRunner.Outcome(digest(out.text()), why);
  }

  /**
   * An extractive digest of memory_search's numbered passages: the first sentence or two of each
   * that no earlier passage already gave (the same text is often stored twice: a page researched
   * and ingested), cited [n], then the sources.
   */
  static String digest(String hits) {
    if (!hits.startsWith("[")) {
      return hits; // "Nothing in memory matches …"
    }
    StringBuilder answer = new StringBuilder();
    StringBuilder sources = new StringBuilder("\n\nSources:\n");
    Set<String> quoted = new HashSet<>();
    for (String block : hits.split("\n\n(?=\\[\\d+] )")) {
      int newline = block.indexOf('\n');
      String header = newline < 0 ? block : block.substring(0, newline);
      String body = newline < 0 ? "" : block.substring(newline + 1).replaceAll("\\s+", " ").strip();
      String n = header.substring(1, header.indexOf(']'));
      List<String> lead = new ArrayList<>();
      for (String sentence : body.split("(?<=[.!?])\\s+")) {
        if (lead.size() < DIGEST_SENTENCES
            && !sentence.isBlank()
            && quoted.add(sentence.toLowerCase(Locale.ROOT))) {
          lead.add(sentence);
        }
      }
      if (!lead.isEmpty()) {
        answer.append(String.join(" ", lead)).append(" [").append(n).append("] ");
      }
      sources.append(header).append('\n');
    }
    return (answer.toString().strip() + sources).strip();
  }

  private AgentRunner.Outcome coordinate(
      AgentDefinition def, AgentRun run, String task, String why) {
    List<String> subtasks = TaskRules.split(task);
    StringBuilder answer = new StringBuilder("Plan (rule-based, offline):\n");
    for (int i = 0; i < subtasks.size(); i++) {
      answer
          .append(i + 1)
          .append(". ")
          .append(TaskRules.route(subtasks.get(i)))
          .append(": ")
          .append(subtasks.get(i))
          .append('\n');
    }
    answer.append("\nResults:\n");
    for (int i = 0; i < subtasks.size(); i++) {
      String sub = subtasks.get(i);
      String agent = TaskRules.route(sub);
      ToolOutput out =
          call(
              def,
              run,
              "offline-subtask-" + (i + 1),
              AskAgentTool.NAME,
              args("agent", agent, "question", sub));
      answer
          .append("\n## ")
          .append(i + 1)
          .append(". ")
          .append(sub)
          .append(" (")
          .append(agent)
          .append(out instanceof ToolOutput.Failure ? ", failed" : "")
          .append(")\n")
          .append(out.text().strip())
          .append('\n');
    }
    return new AgentRunner.Outcome(answer.toString().strip(), why);
  }

  private ToolOutput call(AgentDefinition def, AgentRun run, String id, String tool, String json) {
    AgentRunner.checkStop(run);
    return runner.callTool(def, run, id, tool, json);
  }

  private static String args(Object... kv) {
    var node = AgentRunner.JSON.createObjectNode();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      if (v instanceof Integer n) {
        node.put((String) kv[i], n);
      } else {
        node.put((String) kv[i], String.valueOf(v));
      }
    }
    return node.toString();
  }
}
