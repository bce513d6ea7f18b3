package ai.sophia.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Anthropic's Messages API for tests: {@code POST /v1/messages} in the real wire format (content
 * blocks text and tool_use, stop_reason, usage; streamed as message_start, content_block_start,
 * content_block_delta, content_block_stop, message_delta, message_stop). Point {@code base_url} at
 * {@link #baseUrl()}.
 */
public final class ScriptedAnthropicServer extends ScriptedProviderServer {
  private ScriptedAnthropicServer() {
    super("/v1/messages");
  }

  public static ScriptedAnthropicServer start() {
    return new ScriptedAnthropicServer();
  }

  /** The base URL, {@code …/v1}, as in {@code models.providers.anthropic.base_url}. */
  public String baseUrl() {
    return url("/v1");
  }

  @Override
  protected String errorBody(int status, String message) {
    String type =
        status == 429 ? "rate_limit_error" : status >= 500 ? "api_error" : "invalid_request_error";
    return json(Map.of("type", "error", "error", Map.of("type", type, "message", message)));
  }

  @Override
  protected String message(Step step, String model) {
    List<Object> content = new ArrayList<>();
    if (!step.text().isEmpty()) {
      content.add(Map.of("type", "text", "text", step.text()));
    }
    for (ToolCall c : step.toolCalls()) {
      content.add(
          Map.of(
              "type",
              "tool_use",
              "id",
              c.id(),
              "name",
              c.name(),
              "input",
              parse(c.argumentsJson())));
    }
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("id", "msg_1");
    message.put("type", "message");
    message.put("role", "assistant");
    message.put("model", model);
    message.put("content", content);
    message.put("stop_reason", step.toolCalls().isEmpty() ? "end_turn" : "tool_use");
    message.put("stop_sequence", null);
    message.put(
        "usage", Map.of("input_tokens", step.inputTokens(), "output_tokens", step.outputTokens()));
    return json(message);
  }

  @Override
  protected String events(Step step, String model) {
    StringBuilder out = new StringBuilder();
    Map<String, Object> start = new LinkedHashMap<>();
    start.put("id", "msg_1");
    start.put("type", "message");
    start.put("role", "assistant");
    start.put("model", model);
    start.put("content", List.of());
    start.put("stop_reason", null);
    start.put("stop_sequence", null);
    start.put("usage", Map.of("input_tokens", step.inputTokens(), "output_tokens", 1));
    event(out, "message_start", Map.of("type", "message_start", "message", start));
    int index = 0;
    if (!step.text().isEmpty()) {
      event(
          out,
          "content_block_start",
          Map.of(
              "type",
              "content_block_start",
              "index",
              index,
              "content_block",
              Map.of("type", "text", "text", "")));
      for (String piece : pieces(step.text())) {
        event(
            out,
            "content_block_delta",
            Map.of(
                "type",
                "content_block_delta",
                "index",
                index,
                "delta",
                Map.of("type", "text_delta", "text", piece)));
      }
      if (step.breaks()) {
        event(
            out,
            "error",
            Map.of(
                "type",
                "error",
                "error",
                Map.of("type", "overloaded_error", "message", "Overloaded")));
        return out.toString();
      }
      event(out, "content_block_stop", Map.of("type", "content_block_stop", "index", index));
      index++;
    }
    for (ToolCall c : step.toolCalls()) {
      event(
          out,
          "content_block_start",
          Map.of(
              "type",
              "content_block_start",
              "index",
              index,
              "content_block",
              Map.of("type", "tool_use", "id", c.id(), "name", c.name(), "input", Map.of())));
      event(
          out,
          "content_block_delta",
          Map.of(
              "type",
              "content_block_delta",
              "index",
              index,
              "delta",
              Map.of("type", "input_json_delta", "partial_json", c.argumentsJson())));
      event(out, "content_block_stop", Map.of("type", "content_block_stop", "index", index));
      index++;
    }
    Map<String, Object> delta = new LinkedHashMap<>();
    delta.put("stop_reason", step.toolCalls().isEmpty() ? "end_turn" : "tool_use");
    delta.put("stop_sequence", null);
    event(
        out,
        "message_delta",
        Map.of(
            "type",
            "message_delta",
            "delta",
            delta,
            "usage",
            Map.of("output_tokens", step.outputTokens())));
    event(out, "message_stop", Map.of("type", "message_stop"));
    return out.toString();
  }

  private static void event(StringBuilder out, String name, Map<String, Object> data) {
    out.append("event: ")
        .append(name)
        .append('\n')
        .append("data: ")
        .append(json(data))
        .append("\n\n");
  }
}
