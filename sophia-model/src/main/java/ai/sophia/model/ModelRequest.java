package ai.sophia.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to ask a model: the conversation, the tools it may call, and optionally a JSON schema its
 * answer must follow (structured output). Immutable; the {@code with…} methods return copies.
 */
public final class ModelRequest {
  private final List<Message> messages;
  private final List<ToolSpec> tools;
  private final String schemaName;
  private final JsonNode responseSchema;
  private final int maxOutputTokens;

  private ModelRequest(
      List<Message> messages,
      List<ToolSpec> tools,
      String schemaName,
      JsonNode responseSchema,
      int maxOutputTokens) {
    this.messages = List.copyOf(messages);
    this.tools = List.copyOf(tools);
    this.schemaName = schemaName;
    this.responseSchema = responseSchema;
    this.maxOutputTokens = maxOutputTokens;
  }

  /** A request of these messages, no tools, free text, the provider's default length. */
  public static ModelRequest of(List<Message> messages) {
    Objects.requireNonNull(messages, "messages");
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a model request needs at least one message");
    }
    return new ModelRequest(messages, List.of(), null, null, 0);
  }

  public ModelRequest withTools(List<ToolSpec> tools) {
    return new ModelRequest(
        messages,
        Objects.requireNonNull(tools, "tools"),
        schemaName,
        responseSchema,
        maxOutputTokens);
  }

  /** The answer must be JSON following {@code schema} (a JSON schema object) named {@code name}. */
  public ModelRequest withResponseSchema(String name, JsonNode schema) {
    return new ModelRequest(
        messages,
        tools,
        Objects.requireNonNull(name, "name"),
        Objects.requireNonNull(schema, "schema"),
        maxOutputTokens);
  }

  public ModelRequest withMaxOutputTokens(int maxOutputTokens) {
    if (maxOutputTokens <= 0) {
      throw new IllegalArgumentException("maxOutputTokens must be > 0");
    }
    return new ModelRequest(messages, tools, schemaName, responseSchema, maxOutputTokens);
  }

  public List<Message> messages() {
    return messages;
  }

  public List<ToolSpec> tools() {
    return tools;
  }

  public Optional<JsonNode> responseSchema() {
    return Optional.ofNullable(responseSchema);
  }

  /** The schema's name (some providers require one); empty when there is no schema. */
  public Optional<String> schemaName() {
    return Optional.ofNullable(schemaName);
  }

  /** 0 leaves the length to the provider. */
  public int maxOutputTokens() {
    return maxOutputTokens;
  }
}
