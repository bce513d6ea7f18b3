package ai.sophia.agent;

import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import ai.sophia.tool.Tool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An agent: an immutable definition plus the runtime every agent shares (gateway, tools, stores).
 * Two references and nothing else, so creating one costs an allocation; everything heavy lives in
 * the one {@link AgentRuntime}.
 */
public final class Agent {
  private final AgentDefinition definition;
  private final AgentRuntime runtime;

  Agent(AgentDefinition definition, AgentRuntime runtime) {
    this.definition = definition;
    this.runtime = runtime;
  }

  public String name() {
    return definition.name();
  }

  public AgentDefinition definition() {
    return definition;
  }

  /** Starts a run on a virtual thread and returns its handle at once. */
  public AgentRun start(AgentRequest request) {
    return runtime.start(this, Objects.requireNonNull(request, "request"));
  }

  /** Runs a request and waits for its result (SPEC's process_request). */
  public AgentResult processRequest(AgentRequest request) {
    return start(request).join();
  }

  public List<String> capabilities() {
    return definition.capabilities();
  }

  /** Name, type, level, description, tools (and which are installed), memory scope, models. */
  public Map<String, Object> metadata() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", definition.name());
    m.put("type", definition.type());
    m.put("level", definition.level());
    m.put("description", definition.description());
    m.put("capabilities", definition.capabilities());
    m.put("tools", definition.tools());
    m.put("missing_tools", missingTools());
    m.put("memory_scope", definition.memoryScope());
    m.put("models", definition.models());
    return m;
  }

  /** Tools the agent names that are not installed (yet). */
  public List<String> missingTools() {
    return definition.tools().stream().filter(t -> !runtime.tools().has(t)).toList();
  }

  /** {@link #metadata()} and the agent's health now: what the API and the CLI list. */
  public Map<String, Object> describe() {
    Map<String, Object> m = metadata();
    HealthStatus health = health();
    m.put("health", Map.of("status", health.state().name(), "detail", health.detail()));
    return m;
  }

  /**
   * {@code agent.<name>}, not critical: up when its tools are installed (the detail says when it
   * works offline, rule-based), degraded when it lacks a tool.
   */
  public HealthCheck healthCheck() {
    return HealthCheck.of("agent." + name(), Duration.ofSeconds(2), false, this::health);
  }

  private HealthStatus health() {
    List<String> missing = missingTools();
    boolean model =
        runtime
            .gateway()
            .available(definition.modelPolicy().orElseGet(() -> runtime.gateway().defaultPolicy()));
    // Offline is Sophia's state, reported once by the "models" check; here it only shapes the
    // detail. A tool the agent needs and lacks, or cannot use, is this agent's own problem.
    String mode = model ? "" : "; offline mode (rule-based): no model available";
    List<String> problems = new ArrayList<>();
    if (!missing.isEmpty()) {
      problems.add(
          "tool "
              + String.join(", ", missing)
              + (missing.size() == 1 ? " is" : " are")
              + " not installed");
    }
    for (String name : definition.tools()) {
      runtime
          .tools()
          .find(name)
          .flatMap(Tool::unavailable)
          .ifPresent(why -> problems.add("tool " + name + ": " + why));
    }
    if (problems.isEmpty()) {
      return HealthStatus.up("ready" + mode, Map.of("tools", definition.tools()));
    }
    return HealthStatus.degraded(String.join("; ", problems) + mode);
  }
}
