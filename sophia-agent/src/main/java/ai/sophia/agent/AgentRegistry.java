package ai.sophia.agent;

import ai.sophia.error.NotFoundException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The agents of this Sophia: the built-in ones and those defined in configuration. */
public final class AgentRegistry {
  private final Map<String, Agent> agents;

  AgentRegistry(Map<String, Agent> agents) {
    this.agents = agents;
  }

  /** Every agent, built-in first, in a stable order. */
  public List<Agent> list() {
    return List.copyOf(agents.values());
  }

  public Optional<Agent> find(String name) {
    return Optional.ofNullable(agents.get(name));
  }

  /**
   * The agent called {@code name}.
   *
   * @throws NotFoundException when there is none
   */
  public Agent get(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new NotFoundException("no agent named '" + name + "'; agents: " + agents.keySet()));
  }
}
