package ai.sophia.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors — requests refused before they reach Javalin (an unparseable request line,
 * oversized headers, a malformed URI) — as problem+json too, instead of Jetty's HTML page. No stack
 * trace or cause is ever included.
 */
public final class ProblemErrorHandler extends ErrorHandler {
  private final ObjectMapper mapper;

  public ProblemErrorHandler(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback)
      throws IOException {
    String id = UUID.randomUUID().toString();
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
    response.getHeaders().put(RequestIds.HEADER, id);
    byte[] body = problem(code, message, request.getHttpURI().getPath(), id);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    String id = UUID.randomUUID().toString();
    fields.put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
    fields.put(RequestIds.HEADER, id);
    return ByteBuffer.wrap(problem(status, reason, null, id));
  }

  private byte[] problem(int status, String message, String path, String requestId) {
    String title = HttpStatus.getMessage(status);
    String detail = message == null || message.isBlank() ? title : message;
    String slug = title.toLowerCase(Locale.ROOT).replace(' ', '-');
    try {
      return mapper.writeValueAsBytes(
          new Problem(Problem.type(slug), title, status, detail, path, null, requestId));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a problem record must always serialize", e);
    }
  }
}
