package ai.sophia.model;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The HTTP client under every LangChain4j model Sophia builds: the JDK's client, like LangChain4j's
 * own {@code JdkHttpClient}, with one difference that is the reason it exists.
 *
 * <p>Why not decorate {@code JdkHttpClient}: it turns a non-2xx answer into an {@link
 * HttpException} carrying only the status and body, so by the time a decorator sees the failure the
 * response headers are gone, and with them the provider's {@code Retry-After} on 429/503. Reading
 * the response here, we throw a {@link ProviderHttpException} that keeps it; LangChain4j's
 * exception mapping wraps that as the cause, where {@code Failures} finds it. Streaming runs on the
 * caller's thread, so the gateway's per-attempt timeout can interrupt it like a plain call.
 * Multipart bodies (audio, images) are not used by Sophia and are refused.
 */
final class ProviderHttpClient implements HttpClient {
  private final java.net.http.HttpClient delegate;
  private final Duration readTimeout;

  private ProviderHttpClient(Builder builder) {
    java.net.http.HttpClient.Builder jdk =
        java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1);
    if (builder.connectTimeout != null) {
      jdk.connectTimeout(builder.connectTimeout);
    }
    this.delegate = jdk.build();
    this.readTimeout = builder.readTimeout;
  }

  static Builder builder() {
    return new Builder();
  }

  @Override
  public SuccessfulHttpResponse execute(HttpRequest request) {
    try {
      HttpResponse<byte[]> response =
          delegate.send(toJdk(request), HttpResponse.BodyHandlers.ofByteArray());
      if (!successful(response)) {
        throw failure(response, new String(response.body(), StandardCharsets.UTF_8));
      }
      return SuccessfulHttpResponse.builder()
          .statusCode(response.statusCode())
          .headers(response.headers().map())
          .body(response.body())
          .build();
    } catch (HttpTimeoutException e) {
      throw new TimeoutException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TimeoutException(e);
    }
  }

  @Override
  public void execute(
      HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
    HttpResponse<InputStream> response;
    try {
      response = delegate.send(toJdk(request), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      listener.onError(new TimeoutException(e));
      return;
    } catch (IOException e) {
      listener.onError(e);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      listener.onError(new TimeoutException(e));
      return;
    }
    try (InputStream in = response.body()) {
      if (!successful(response)) {
        listener.onError(failure(response, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        return;
      }
      String type = response.headers().firstValue("Content-Type").orElse("");
      if (!type.isEmpty() && !type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
        // Some OpenAI-compatible servers ignore "stream": an empty answer must not pass as one.
        listener.onError(
            new UnreadableReplyException(
                "answered a streaming request with " + type + ", not server-sent events"));
        return;
      }
      listener.onOpen(
          SuccessfulHttpResponse.builder()
              .statusCode(response.statusCode())
              .headers(response.headers().map())
              .build());
      parser.parse(in, listener);
      listener.onClose();
    } catch (IOException | RuntimeException e) {
      listener.onError(e);
    }
  }

  private java.net.http.HttpRequest toJdk(HttpRequest request) {
    if (!request.formDataFields().isEmpty() || !request.formDataFiles().isEmpty()) {
      throw new UnsupportedOperationException("multipart requests are not used by Sophia");
    }
    java.net.http.HttpRequest.Builder builder =
        java.net.http.HttpRequest.newBuilder().uri(URI.create(request.url()));
    request.headers().forEach((name, values) -> values.forEach(v -> builder.header(name, v)));
    builder.method(
        request.method().name(),
        request.body() == null
            ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofString(request.body()));
    if (readTimeout != null) {
      builder.timeout(readTimeout);
    }
    return builder.build();
  }

  private static boolean successful(HttpResponse<?> response) {
    return response.statusCode() >= 200 && response.statusCode() < 300;
  }

  private static ProviderHttpException failure(HttpResponse<?> response, String body) {
    Duration retryAfter =
        response
            .headers()
            .firstValue("Retry-After")
            .map(ProviderHttpClient::retryAfter)
            .orElse(null);
    return new ProviderHttpException(response.statusCode(), body, retryAfter);
  }

  /** Retry-After is delta-seconds or an HTTP date; anything else is ignored. */
  static Duration retryAfter(String value) {
    String v = value.strip();
    try {
      double seconds = Double.parseDouble(v);
      return seconds < 0 ? null : Duration.ofMillis((long) (seconds * 1000));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration d =
            Duration.between(
                ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }

  /** Builds {@link ProviderHttpClient}s; LangChain4j sets the timeouts. */
  static final class Builder implements HttpClientBuilder {
    private Duration connectTimeout;
    private Duration readTimeout;

    @Override
    public Duration connectTimeout() {
      return connectTimeout;
    }

    @Override
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    @Override
    public Duration readTimeout() {
      return readTimeout;
    }

    @Override
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = timeout;
      return this;
    }

    @Override
    public HttpClient build() {
      return new ProviderHttpClient(this);
    }
  }
}
