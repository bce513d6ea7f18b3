package ai.sophia.model;

import ai.sophia.web.LoopbackServer.Reply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OpenAI-compatible chat server (OpenRouter, Ollama, vLLM…) for tests: {@code POST
 * /chat/completions} in the real wire format (choices, message, tool_calls, usage; with {@code
 * stream: true}, {@code data:} chunks, a usage chunk and {@code data: [DONE]}), and {@code GET
 * /models}. Point {@code base_url} at {@link #baseUrl()}.
 */
public final class ScriptedOpenAiServer extends ScriptedProviderServer {
  private ScriptedOpenAiServer() {
    super("/chat/completions");
    server.route("/models", Reply.json("{\"object\":\"list\",\"data\":[{\"id\":\"llama3.1\"}]}"));
  }

  public static ScriptedOpenAiServer start() {
    return new ScriptedOpenAiServer();
  }

  public String baseUrl() {
    return url("");
  }

  @Override
  protected String errorBody(int status, String message) {
    return json(
        Map.of(
            "error",
            Map.of("message", message + " (HTTP " + status + ")", "type", "server_error")));
  }

  @Override
  protected String message(Step step, String model) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("role", "assistant");
    message.put("content", step.toolCalls().isEmpty() ? step.text() : null);
    if (!step.toolCalls().isEmpty()) {
      List<Object> calls = new ArrayList<>();
      for (ToolCall c : step.toolCalls()) {
        calls.add(
            Map.of(
                "id",
                c.id(),
                "type",
                "function",
                "function",
                Map.of("name", c.name(), "arguments", c.argumentsJson())));
      }
      message.put("tool_calls", calls);
    }
    Map<String, Object> choice = new LinkedHashMap<>();
    choice.put("index", 0);
    choice.put("message", message);
    choice.put("finish_reason", step.toolCalls().isEmpty() ? "stop" : "tool_calls");
    return json(
        Map.of(
            "id",
            "chatcmpl-1",
            "object",
            "chat.completion",
            "created",
            1_700_000_000,
            "model",
            model,
            "choices",
            List.of(choice),
            "usage",
            usage(step)));
  }

  @Override
  protected String events(Step step, String model) {
    StringBuilder out = new StringBuilder();
    chunk(out, model, Map.of("role", "assistant", "content", ""), null);
    for (String piece : pieces(step.text())) {
      chunk(out, model, Map.of("content", piece), null);
    }
    int i = 0;
    for (ToolCall c : step.toolCalls()) {
      Map<String, Object> start =
          Map.of(
              "index",
              i,
              "id",
              c.id(),
              "type",
              "function",
              "function",
              Map.of("name", c.name(), "arguments", ""));
      chunk(out, model, Map.of("tool_calls", List.of(start)), null);
      Map<String, Object> args =
          Map.of("index", i, "function", Map.of("arguments", c.argumentsJson()));
      chunk(out, model, Map.of("tool_calls", List.of(args)), null);
      i++;
    }
    chunk(out, model, Map.of(), step.toolCalls().isEmpty() ? "stop" : "tool_calls");
    Map<String, Object> usage = new LinkedHashMap<>();
    usage.put("id", "chatcmpl-1");
    usage.put("object", "chat.completion.chunk");
    usage.put("created", 1_700_000_000);
    usage.put("model", model);
    usage.put("choices", List.of());
    usage.put("usage", usage(step));
    out.append("data: ").append(json(usage)).append("\n\n");
    out.append("data: [DONE]\n\n");
    return out.toString();
  }

  private static void chunk(
      StringBuilder out, String model, Map<String, Object> delta, String finish) {
    Map<String, Object> choice = new LinkedHashMap<>();
    choice.put("index", 0);
    choice.put("delta", delta);
    choice.put("finish_reason", finish);
    Map<String, Object> chunk = new LinkedHashMap<>();
    chunk.put("id", "chatcmpl-1");
    chunk.put("object", "chat.completion.chunk");
    chunk.put("created", 1_700_000_000);
    chunk.put("model", model);
    chunk.put("choices", List.of(choice));
    out.append("data: ").append(json(chunk)).append("\n\n");
  }

  private static Map<String, Object> usage(Step step) {
    return Map.of(
        "prompt_tokens", step.inputTokens(),
        "completion_tokens", step.outputTokens(),
        "total_tokens", step.inputTokens() + step.outputTokens());
  }
}
