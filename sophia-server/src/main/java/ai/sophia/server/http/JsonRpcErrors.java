package ai.sophia.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/*
 * Design: what /mcp answers when a message is wrong. The gate checks the JSON-RPC envelope of a
 * POST itself (check), before the SDK sees it, so that each fault gets its JSON-RPC code and a
 * message naming it. Whatever 4xx or 5xx the SDK still answers (an unknown session, a missing
 * session header) passes through Capture, which keeps the SDK's body — a serialized Java
 * exception — from the client and writes a JSON-RPC error with the same status instead. A
 * successful answer, streamed or not, goes straight through: Capture only diverts writes once an
 * error status was set.
 *
 * check accepts only what the SDK can read (its Jackson 3 mapper): the SDK logs every body it cannot
 * deserialize as an ERROR ("Failed to deserialize message"), so input alone must never get that
 * far. Jackson 3 reads at most MAX_DEPTH levels, fails on trailing content, wants an id that fits a
 * long and a response error with a code and a string message; Jackson 2 (ours) allows all four.
 * Quieting that logger instead would also hide its real errors (a failed send), so it stays.
 */

/** JSON-RPC error answers at {@code /mcp}: never a serialized exception, never an empty body. */
final class JsonRpcErrors {
  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int INVALID_PARAMS = -32602;
  static final int INTERNAL_ERROR = -32603;

  /** What the TypeScript SDK's server answers for an unknown session; clients know it. */
  static final int SESSION_NOT_FOUND = -32001;

  static final String MEDIA_TYPE = "application/json";

  /** How deep the SDK's reader (Jackson 3's default) nests a message, ours reading 1000. */
  static final int MAX_DEPTH = 500;

  private static final JsonFactory READER =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          .build();

  private JsonRpcErrors() {}

  /** A JSON-RPC error to answer with an HTTP status; {@code id} is null when it is not known. */
  record Fault(int status, int code, String message, JsonNode id) {}

  /**
   * Checks that {@code body} is one JSON-RPC 2.0 message (a request, a notification or a response
   * to the server): the fault to answer with, or nothing when it is one.
   */
  static Optional<Fault> check(ObjectMapper mapper, String body) {
    if (body.isBlank()) {
      return fault(PARSE_ERROR, "Parse error: the body is empty; send one JSON-RPC message", null);
    }
    JsonNode message;
    try (JsonParser parser = READER.createParser(body)) {
      message = mapper.readTree(parser);
      if (parser.nextToken() != null) {
        return fault(PARSE_ERROR, "Parse error: there is more after the message; send one", null);
      }
    } catch (StreamConstraintsException e) {
      return fault(
          PARSE_ERROR,
          "Parse error: the message is beyond what is read (at most "
              + MAX_DEPTH
              + " levels deep, numbers of at most 1000 digits, names of at most 50000 characters)",
          null);
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      return fault(
          PARSE_ERROR,
          "Parse error: malformed JSON"
              + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()),
          null);
    } catch (IOException e) {
      return fault(PARSE_ERROR, "Parse error: malformed JSON", null);
    }
    if (message == null || message.isMissingNode()) {
      return fault(PARSE_ERROR, "Parse error: the body holds no JSON", null);
    }
    if (message.isArray()) {
      return fault(
          INVALID_REQUEST, "Invalid Request: batches are not supported; send one message", null);
    }
    if (!message.isObject()) {
      return fault(INVALID_REQUEST, "Invalid Request: a message is a JSON object", null);
    }
    JsonNode id = message.get("id");
    boolean hasId = id != null;
    if (hasId && !(id.isTextual() || (id.isIntegralNumber() && id.canConvertToLong()))) {
      return fault(INVALID_REQUEST, "Invalid Request: id must be a string or an integer", null);
    }
    JsonNode shownId = hasId ? id : null;
    if (!"2.0".equals(message.path("jsonrpc").textValue())) {
      return fault(INVALID_REQUEST, "Invalid Request: jsonrpc must be \"2.0\"", shownId);
    }
    JsonNode method = message.get("method");
    if (method == null) {
      if (!hasId || !(message.has("result") || message.has("error"))) {
        return fault(INVALID_REQUEST, "Invalid Request: method is required", shownId);
      }
      JsonNode error = message.get("error");
      boolean readable =
          error == null
              || (error.isObject()
                  && error.path("code").isIntegralNumber()
                  && error.path("code").canConvertToInt()
                  && error.path("message").isTextual());
      return readable
          ? Optional.empty()
          : fault(
              INVALID_REQUEST,
              "Invalid Request: error must be an object with an integer code and a string message",
              shownId);
    }
    if (!method.isTextual() || method.textValue().isBlank()) {
      return fault(INVALID_REQUEST, "Invalid Request: method must be a non-empty string", shownId);
    }
    JsonNode params = message.get("params");
    if (params != null && !params.isObject()) {
      return fault(INVALID_REQUEST, "Invalid Request: params must be an object", shownId);
    }
    return "tools/call".equals(method.textValue()) ? toolCall(params, shownId) : Optional.empty();
  }

  /** The SDK drops a tools/call whose params it cannot read, answering nothing at all. */
  private static Optional<Fault> toolCall(JsonNode params, JsonNode id) {
    JsonNode name = params == null ? null : params.get("name");
    if (name == null || !name.isTextual() || name.textValue().isBlank()) {
      return fault(INVALID_PARAMS, "Invalid params: name must be a non-empty string", id);
    }
    JsonNode arguments = params.get("arguments");
    if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
      return fault(INVALID_PARAMS, "Invalid params: arguments must be an object", id);
    }
    return Optional.empty();
  }

  private static Optional<Fault> fault(int code, String message, JsonNode id) {
    return Optional.of(new Fault(400, code, message, id));
  }

  /** The fault for an error status the SDK answered {@code request} with. */
  static Fault forStatus(int status, HttpServletRequest request) {
    String session = request.getHeader("Mcp-Session-Id");
    return switch (status) {
      case 404 ->
          new Fault(
              404,
              SESSION_NOT_FOUND,
              "Session not found: it ended or never existed; start a new one with initialize",
              null);
      case 400 ->
          new Fault(
              400,
              INVALID_REQUEST,
              session == null
                  ? "Bad Request: the Mcp-Session-Id header is required after initialize"
                  : "Bad Request: the message is not valid for this session",
              null);
      case 405 -> new Fault(405, INVALID_REQUEST, "Method Not Allowed", null);
      case 406 ->
          new Fault(
              406,
              INVALID_REQUEST,
              "Not Acceptable: Accept must list application/json and text/event-stream",
              null);
      case 415 ->
          new Fault(415, INVALID_REQUEST, "Unsupported Media Type: send application/json", null);
      default ->
          status >= 500
              ? new Fault(status, INTERNAL_ERROR, "Internal error", null)
              : new Fault(status, INVALID_REQUEST, "Invalid Request", null);
    };
  }

  /** Answers {@code fault} as a JSON-RPC error object. */
  static void write(ObjectMapper mapper, HttpServletResponse response, Fault fault)
      throws IOException {
    ObjectNode body = mapper.createObjectNode().put("jsonrpc", "2.0");
    body.set("id", fault.id() == null ? body.nullNode() : fault.id());
    body.putObject("error").put("code", fault.code()).put("message", fault.message());
    byte[] bytes = mapper.writeValueAsBytes(body);
    response.setStatus(fault.status());
    response.setContentType(MEDIA_TYPE);
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /**
   * The response as the SDK sees it: once it sets an error status, its headers' content type and
   * its body are dropped, so that {@link #finish} can answer with a JSON-RPC error instead.
   */
  static final class Capture extends HttpServletResponseWrapper {
    private int errorStatus;
    private ServletOutputStream dropped;
    private PrintWriter droppedWriter;

    Capture(HttpServletResponse response) {
      super(response);
    }

    @Override
    public void setStatus(int sc) {
      if (sc >= 400) {
        errorStatus = sc;
      } else {
        super.setStatus(sc);
      }
    }

    @Override
    public void sendError(int sc, String msg) {
      errorStatus = sc;
    }

    @Override
    public void sendError(int sc) {
      errorStatus = sc;
    }

    @Override
    public void setContentLength(int len) {
      if (errorStatus == 0) {
        super.setContentLength(len);
      }
    }

    @Override
    public void setContentLengthLong(long len) {
      if (errorStatus == 0) {
        super.setContentLengthLong(len);
      }
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
      if (errorStatus == 0) {
        return super.getOutputStream();
      }
      if (dropped == null) {
        dropped = new Discard();
      }
      return dropped;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      if (errorStatus == 0) {
        return super.getWriter();
      }
      if (droppedWriter == null) {
        droppedWriter = new PrintWriter(OutputStream.nullOutputStream());
      }
      return droppedWriter;
    }

    /**
     * After the SDK is done: when it answered an error (and did not start streaming), replaces it
     * with the JSON-RPC error for its status.
     */
    void finish(ObjectMapper mapper, HttpServletRequest request) throws IOException {
      HttpServletResponse real = (HttpServletResponse) getResponse();
      if (errorStatus == 0 || request.isAsyncStarted() || real.isCommitted()) {
        return;
      }
      real.resetBuffer();
      write(mapper, real, forStatus(errorStatus, request));
    }
  }

  /** A body that goes nowhere. */
  private static final class Discard extends ServletOutputStream {
    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      throw new IllegalStateException("an error answer is not streamed");
    }
  }
}
