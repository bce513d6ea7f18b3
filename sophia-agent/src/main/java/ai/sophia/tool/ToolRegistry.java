package ai.sophia.tool;

import ai.sophia.model.ToolSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/** The tools installed in this Sophia, by name. Immutable; built once at start-up. */
public final class ToolRegistry {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  private final Map<String, Tool> tools;

  private ToolRegistry(Map<String, Tool> tools) {
    this.tools = tools;
  }

  /**
   * A registry of these tools.
   *
   * @throws IllegalArgumentException on a bad or duplicate name
   */
  public static ToolRegistry of(List<Tool> tools) {
    Map<String, Tool> byName = new LinkedHashMap<>();
    for (Tool tool : tools) {
      Objects.requireNonNull(tool, "tool");
      if (!NAME.matcher(tool.name()).matches()) {
        throw new IllegalArgumentException("bad tool name '" + tool.name() + "'");
      }
      if (byName.putIfAbsent(tool.name(), tool) != null) {
        throw new IllegalArgumentException("two tools are named '" + tool.name() + "'");
      }
      Objects.requireNonNull(tool.risk(), "risk of " + tool.name());
    }
    return new ToolRegistry(Map.copyOf(byName));
  }

  public Optional<Tool> find(String name) {
    return Optional.ofNullable(tools.get(name));
  }

  public boolean has(String name) {
    return tools.containsKey(name);
  }

  /** Names of every installed tool, sorted. */
  public List<String> names() {
    return tools.keySet().stream().sorted().toList();
  }

  /** The specs a model sees for those of {@code names} that are installed, in that order. */
  public List<ToolSpec> specs(List<String> names) {
    List<ToolSpec> specs = new ArrayList<>();
    for (String name : names) {
      Tool tool = tools.get(name);
      if (tool != null) {
        specs.add(new ToolSpec(tool.name(), tool.description(), tool.parameters()));
      }
    }
    return specs;
  }
}
