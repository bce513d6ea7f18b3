package ai.sophia.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** A tool as a model sees it: name, description and a JSON schema (an object) of its arguments. */
public record ToolSpec(String name, String description, JsonNode parameters) {
  public ToolSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(parameters, "parameters");
  }
}
