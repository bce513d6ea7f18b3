package ai.sophia.agent;

import ai.sophia.config.SophiaConfig;
import ai.sophia.error.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The built-in agents, and the agents an operator defines in {@code agents.definitions}. */
final class AgentDefinitions {
  /** Tools agents may name that later issues will install; naming one is not a config error. */
  static final Set<String> PLANNED_TOOLS = Set.of("commit", "deploy");

  static final String CUSTOM = "custom";
  private static final Pattern SCOPE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  static final AgentDefinition RESEARCH =
      new AgentDefinition(
          "research",
          "research",
          3,
          "Researches questions on the web and in memory and answers with cited sources.",
          List.of("web_research", "cited_answers", "memory_search"),
          "Answer the user's question by researching it. Use the research tool for anything you"
              + " do not know for certain and memory_search for what Sophia already read. Every"
              + " claim in your answer cites its source as [n] with the source's URL.",
          List.of("research", "memory_search"),
          List.of(),
          "research");
  static final AgentDefinition ANALYSIS =
      new AgentDefinition(
          "analysis",
          "analysis",
          2,
          "Analyses what Sophia has researched and ingested: digests, comparisons, findings.",
          List.of("analysis", "summarization", "memory_search"),
          "Analyse the user's request using memory_search over what Sophia has read. Say what"
              + " the evidence shows and where it comes from; say plainly when memory holds too"
              + " little to answer.",
          List.of("memory_search"),
          List.of(),
          "analysis");
  static final AgentDefinition COMMIT =
      new AgentDefinition(
          "commit",
          "commit",
          2,
          "Commits code changes on a new branch and opens pull requests.",
          List.of("code_changes", "pull_requests"),
          "Make the code change the user asks for with the commit tool, on a new branch, with a"
              + " clear commit message.",
          List.of("commit"),
          List.of(),
          "commit");
  static final AgentDefinition DEPLOYMENT =
      new AgentDefinition(
          "deployment",
          "deployment",
          2,
          "Triggers deployments and reports their status.",
          List.of("deployments"),
          "Trigger the deployment the user asks for with the deploy tool and report its status.",
          List.of("deploy"),
          List.of(),
          "deployment");
  static final AgentDefinition COORDINATOR =
      new AgentDefinition(
          "coordinator",
          "coordinator",
          4,
          "Splits a task into sub-tasks, delegates them to other agents and combines the results.",
          List.of("planning", "delegation", "aggregation"),
          "Plan the task as sub-tasks, ask the right agent for each with ask_agent (research for"
              + " facts from the web, analysis for what Sophia already knows), then combine their"
              + " answers into one, keeping their citations.",
          List.of("ask_agent", "memory_search"),
          List.of(),
          "coordinator");

  /**
   * The original design's {@code general} agent, which routes a query itself: a coordinator (same
   * tools, same offline rule: {@link TaskRules} routes each part to research or analysis) told to
   * hand a one-part query to the one agent that fits rather than to plan. It is what {@code POST
   * /api/v1/intelligence/query} runs when no {@code agent_type} is given.
   */
  static final AgentDefinition GENERAL =
      new AgentDefinition(
          "general",
          "coordinator",
          4,
          "Routes a query to the agent that fits it (research or analysis) and answers with"
              + " its result; the default agent of /api/v1/intelligence/query.",
          List.of("routing", "delegation", "aggregation"),
          "Decide which agent should answer the user's query and ask it with ask_agent: research"
              + " for facts from the web, analysis for what Sophia already knows. Hand a"
              + " one-part query to that one agent; split a query with several parts, ask for"
              + " each, and combine the answers. Keep the agents' citations.",
          List.of("ask_agent", "memory_search"),
          List.of(),
          "general");

  static final Map<String, AgentDefinition> BUILT_IN =
      orderedMap(List.of(RESEARCH, ANALYSIS, COMMIT, DEPLOYMENT, COORDINATOR, GENERAL));

  private AgentDefinitions() {}

  private static Map<String, AgentDefinition> orderedMap(List<AgentDefinition> list) {
    Map<String, AgentDefinition> map = new LinkedHashMap<>();
    list.forEach(d -> map.put(d.name(), d));
    return java.util.Collections.unmodifiableMap(map);
  }

  /**
   * The built-in agents plus the configured ones (a configured agent with a built-in's name
   * replaces it). Every problem is collected and reported at once, each naming its key.
   *
   * @throws ConfigException when a definition is bad or names a tool that does not exist
   */
  static Map<String, AgentDefinition> resolve(
      Map<String, SophiaConfig.AgentSpec> configured, Set<String> installedTools) {
    Set<String> known = new TreeSet<>(installedTools);
    known.addAll(PLANNED_TOOLS);
    Map<String, AgentDefinition> all = new LinkedHashMap<>(BUILT_IN);
    List<String> problems = new ArrayList<>();
    configured.forEach(
        (name, spec) -> {
          AgentDefinition d = define(name, spec, known, problems);
          if (d != null) {
            all.put(name, d);
          }
        });
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return java.util.Collections.unmodifiableMap(all);
  }

  private static AgentDefinition define(
      String name, SophiaConfig.AgentSpec spec, Set<String> knownTools, List<String> problems) {
    String key = "agents.definitions." + name;
    int before = problems.size();
    if (spec == null) {
      problems.add(key + " must be a mapping");
      return null;
    }
    if (!name.matches("[a-z][a-z0-9_-]{0,39}")) {
      problems.add(key + ": an agent name is a lowercase letter then up to 39 of [a-z0-9_-]");
    }
    AgentDefinition base = null;
    String typeName = spec.type() == null ? name : spec.type();
    if (spec.type() != null && !BUILT_IN.containsKey(spec.type())) {
      problems.add(
          key + ".type: '" + spec.type() + "' is not a built-in agent " + BUILT_IN.keySet());
    } else {
      base = BUILT_IN.get(typeName);
    }
    String type = base == null ? CUSTOM : base.type();
    int level = spec.level() != null ? spec.level() : base == null ? 1 : base.level();
    if (level < 1 || level > 5) {
      problems.add(key + ".level is " + level + " but must be between 1 and 5");
    }
    String instructions =
        spec.instructions() != null ? spec.instructions() : base == null ? "" : base.instructions();
    if (instructions.isBlank()) {
      problems.add(key + ".instructions: an agent without a built-in type needs instructions");
    }
    List<String> tools =
        spec.tools() != null ? spec.tools() : base == null ? List.of() : base.tools();
    for (String tool : tools) {
      if (tool == null || !knownTools.contains(tool)) {
        problems.add(key + ".tools: unknown tool '" + tool + "' (known: " + knownTools + ")");
      }
    }
    if (tools.stream().distinct().count() != tools.size()) {
      problems.add(key + ".tools: a tool is listed twice");
    }
    String scope = spec.memoryScope() != null ? spec.memoryScope() : name;
    if (!SCOPE.matcher(scope).matches()) {
      problems.add(key + ".memory_scope: '" + scope + "' must be 1 to 64 of [a-z0-9_-]");
    }
    List<String> models = spec.models() != null ? spec.models() : List.of();
    if (models.stream().anyMatch(m -> m == null || m.indexOf(':') <= 0)) {
      problems.add(key + ".models: each model is provider:model");
    }
    if (problems.size() > before) {
      return null;
    }
    return new AgentDefinition(
        name,
        type,
        level,
        spec.description() != null ? spec.description() : base == null ? "" : base.description(),
        spec.capabilities() != null
            ? spec.capabilities()
            : base == null ? List.of() : base.capabilities(),
        instructions,
        tools,
        models,
        scope);
  }
}
