package ai.sophia.model;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * One configured provider: its LangChain4j chat and streaming models (one each; the model name is
 * set per request), its key (kept only to redact it from error details), and its last real call for
 * /health. LangChain4j's own retries are off: the gateway owns the policy.
 */
final class ProviderClient {
  static final String OPENROUTER = "openrouter";
  static final String OPENAI_COMPATIBLE = "openai_compatible";
  static final String ANTHROPIC = "anthropic";
  private static final int ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

  /** The last real call to this provider and when it ended. */
  record Seen(Attempt attempt, Instant at) {}

  private final String name;
  private final String baseUrl;
  private final String secret;
  private final ChatModel chat;
  private final StreamingChatModel streaming;
  private final boolean rawSchema;
  private volatile Seen last;

  private ProviderClient(
      String name,
      String baseUrl,
      String secret,
      ChatModel chat,
      StreamingChatModel streaming,
      boolean rawSchema) {
    this.name = name;
    this.baseUrl = baseUrl;
    this.secret = secret;
    this.chat = chat;
    this.streaming = streaming;
    this.rawSchema = rawSchema;
  }

  /**
   * The providers that can be called: OpenRouter and Anthropic when their key is set,
   * openai_compatible when its base URL is (its key is optional). Others are left out.
   */
  static Map<String, ProviderClient> create(SophiaConfig.Models models, Secrets secrets) {
    Duration timeout = Duration.ofMillis(models.timeoutMs());
    Map<String, ProviderClient> clients = new LinkedHashMap<>();
    SophiaConfig.ModelProviders p = models.providers();
    if (p.openrouter() != null) {
      secrets
          .get(p.openrouter().apiKeyEnv())
          .ifPresent(
              key ->
                  clients.put(
                      OPENROUTER, openAi(OPENROUTER, p.openrouter().baseUrl(), key, timeout)));
    }
    if (p.openaiCompatible() != null && !blank(p.openaiCompatible().baseUrl())) {
      String key = secrets.get(p.openaiCompatible().apiKeyEnv()).orElse("");
      clients.put(
          OPENAI_COMPATIBLE,
          openAi(OPENAI_COMPATIBLE, p.openaiCompatible().baseUrl(), key, timeout));
    }
    if (p.anthropic() != null) {
      secrets
          .get(p.anthropic().apiKeyEnv())
          .ifPresent(
              key -> clients.put(ANTHROPIC, anthropic(p.anthropic().baseUrl(), key, timeout)));
    }
    return clients;
  }

  private static ProviderClient openAi(String name, String baseUrl, String key, Duration timeout) {
    // A local server without a key still gets a placeholder: LangChain4j requires one.
    String apiKey = key.isEmpty() ? "none" : key;
    Map<String, String> headers = name.equals(OPENROUTER) ? Map.of("X-Title", "Sophia") : Map.of();
    ChatModel chat =
        OpenAiChatModel.builder()
            .httpClientBuilder(ProviderHttpClient.builder())
            .baseUrl(baseUrl)
            .apiKey(apiKey)
            .customHeaders(headers)
            .timeout(timeout)
            .maxRetries(0)
            .build();
    StreamingChatModel streaming =
        OpenAiStreamingChatModel.builder()
            .httpClientBuilder(ProviderHttpClient.builder())
            .baseUrl(baseUrl)
            .apiKey(apiKey)
            .customHeaders(headers)
            .timeout(timeout)
            .build();
    return new ProviderClient(name, baseUrl, key, chat, streaming, true);
  }

  private static ProviderClient anthropic(String baseUrl, String key, Duration timeout) {
    ChatModel chat =
        AnthropicChatModel.builder()
            .httpClientBuilder(ProviderHttpClient.builder())
            .baseUrl(baseUrl)
            .apiKey(key)
            .maxTokens(ANTHROPIC_DEFAULT_MAX_TOKENS)
            .timeout(timeout)
            .maxRetries(0)
            .build();
    StreamingChatModel streaming =
        AnthropicStreamingChatModel.builder()
            .httpClientBuilder(ProviderHttpClient.builder())
            .baseUrl(baseUrl)
            .apiKey(key)
            .maxTokens(ANTHROPIC_DEFAULT_MAX_TOKENS)
            .timeout(timeout)
            .build();
    return new ProviderClient(ANTHROPIC, baseUrl, key, chat, streaming, false);
  }

  String name() {
    return name;
  }

  String baseUrl() {
    return baseUrl;
  }

  /** The key, or "" for a local server without one. Only for requests; never log it. */
  String key() {
    return secret;
  }

  LangChainMapping.Answer chat(ModelRef model, ModelRequest request) {
    ChatResponse response = chat.chat(LangChainMapping.request(model, request, rawSchema));
    return readable(LangChainMapping.answer(response));
  }

  /** {@code answer}, unless it holds neither text nor tool calls. */
  private static LangChainMapping.Answer readable(LangChainMapping.Answer answer) {
    if (answer.text().isBlank() && answer.toolCalls().isEmpty()) {
      throw new UnreadableReplyException(
          "empty reply (no text and no tool calls, finish reason " + answer.finishReason() + ")");
    }
    return answer;
  }

  /** Streams text to {@code onToken}; returns when the answer is complete. */
  LangChainMapping.Answer stream(ModelRef model, ModelRequest request, Consumer<String> onToken)
      throws Exception {
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    streaming.chat(
        LangChainMapping.request(model, request, rawSchema),
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String token) {
            if (token != null && !token.isEmpty()) {
              onToken.accept(token);
            }
          }

          @Override
          public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }
        });
    try {
      return readable(LangChainMapping.answer(done.get()));
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** {@code text} with this provider's key replaced, for details, logs and exceptions. */
  String redact(String text) {
    if (text == null) {
      return "";
    }
    return secret.length() < 4 ? text : text.replace(secret, "[redacted]");
  }

  void seen(Attempt attempt) {
    last = new Seen(attempt, Instant.now());
  }

  Optional<Seen> last() {
    return Optional.ofNullable(last);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
