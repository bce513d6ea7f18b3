package ai.sophia.agent;

import ai.sophia.model.ModelPolicy;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An agent's immutable definition (SPEC §3): name, type, level 1–5, capabilities, instructions, the
 * tools it may call, its model policy (empty: the gateway's default chain) and the memory scope its
 * long-term memories live under. Cheap: no heavy resources hang off it.
 */
public record AgentDefinition(
    String name,
    String type,
    int level,
    String description,
    List<String> capabilities,
    String instructions,
    List<String> tools,
    List<String> models,
    String memoryScope) {
  public AgentDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    if (level < 1 || level > 5) {
      throw new IllegalArgumentException("level must be 1 to 5, got " + level);
    }
    Objects.requireNonNull(description, "description");
    capabilities = List.copyOf(capabilities);
    Objects.requireNonNull(instructions, "instructions");
    tools = List.copyOf(tools);
    models = List.copyOf(models);
    Objects.requireNonNull(memoryScope, "memoryScope");
  }

  /** The agent's own chain of models, if it names one. */
  public Optional<ModelPolicy> modelPolicy() {
    return models.isEmpty()
        ? Optional.empty()
        : Optional.of(ModelPolicy.of(models, "agents.definitions." + name + ".models"));
  }
}
