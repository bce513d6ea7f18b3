package ai.sophia.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import java.util.List;

/** Sophia's requests and replies in LangChain4j's types and back. */
final class LangChainMapping {
  private LangChainMapping() {}

  /** What a provider answered, before the gateway adds cost and attempts. */
  record Answer(String text, List<ToolCall> toolCalls, TokenUsage usage, String finishReason) {}

  /**
   * The request for {@code model}. {@code rawSchema}: the provider's mapper sends a {@link
   * JsonRawSchema} verbatim (OpenAI); otherwise the schema is converted to typed elements.
   */
  static ChatRequest request(ModelRef model, ModelRequest request, boolean rawSchema) {
    ChatRequest.Builder builder =
        ChatRequest.builder()
            .modelName(model.model())
            .messages(request.messages().stream().map(LangChainMapping::message).toList());
    if (!request.tools().isEmpty()) {
      builder.toolSpecifications(request.tools().stream().map(LangChainMapping::tool).toList());
    }
    if (request.maxOutputTokens() > 0) {
      builder.maxOutputTokens(request.maxOutputTokens());
    }
    request
        .responseSchema()
        .ifPresent(
            schema ->
                builder.responseFormat(
                    ResponseFormat.builder()
                        .type(ResponseFormatType.JSON)
                        .jsonSchema(
                            JsonSchema.builder()
                                .name(request.schemaName().orElse("answer"))
                                .rootElement(
                                    rawSchema
                                        ? JsonRawSchema.from(schema.toString())
                                        : JsonSchemas.element(schema))
                                .build())
                        .build()));
    return builder.build();
  }

  static ChatMessage message(Message message) {
    return switch (message) {
      case Message.System s -> SystemMessage.from(s.text());
      case Message.User u -> UserMessage.from(u.text());
      case Message.Assistant a -> {
        List<ToolExecutionRequest> calls =
            a.toolCalls().stream()
                .map(
                    c ->
                        ToolExecutionRequest.builder()
                            .id(c.id())
                            .name(c.name())
                            .arguments(c.argumentsJson())
                            .build())
                .toList();
        String text = a.text().isEmpty() ? null : a.text();
        yield calls.isEmpty() ? AiMessage.from(a.text()) : AiMessage.from(text, calls);
      }
      case Message.ToolResult r ->
          ToolExecutionResultMessage.from(r.callId(), r.toolName(), r.text());
    };
  }

  static ToolSpecification tool(ToolSpec tool) {
    JsonNode parameters = tool.parameters();
    return ToolSpecification.builder()
        .name(tool.name())
        .description(tool.description())
        .parameters(JsonSchemas.object(parameters))
        .build();
  }

  static Answer answer(ChatResponse response) {
    AiMessage ai = response.aiMessage();
    List<ToolCall> calls =
        ai.hasToolExecutionRequests()
            ? ai.toolExecutionRequests().stream()
                .map(
                    r ->
                        new ToolCall(
                            r.id() == null ? "" : r.id(),
                            r.name(),
                            r.arguments() == null || r.arguments().isBlank()
                                ? "{}"
                                : r.arguments()))
                .toList()
            : List.of();
    return new Answer(
        ai.text() == null ? "" : ai.text(),
        calls,
        usage(response.tokenUsage()),
        finishReason(response.finishReason()));
  }

  static TokenUsage usage(dev.langchain4j.model.output.TokenUsage usage) {
    if (usage == null) {
      return TokenUsage.NONE;
    }
    return new TokenUsage(
        usage.inputTokenCount() == null ? 0 : usage.inputTokenCount(),
        usage.outputTokenCount() == null ? 0 : usage.outputTokenCount());
  }

  /** Lower-case wire values: stop, length, tool_calls, content_filter, other. */
  static String finishReason(FinishReason reason) {
    if (reason == null) {
      return "stop";
    }
    return switch (reason) {
      case STOP -> "stop";
      case LENGTH -> "length";
      case TOOL_EXECUTION -> "tool_calls";
      case CONTENT_FILTER -> "content_filter";
      case OTHER -> "other";
    };
  }
}
