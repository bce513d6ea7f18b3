package ai.sophia.server.http;

import ai.sophia.mcp.JsonRpcEnvelope;
import com.fasterxml.jackson.databind.JsonNode;
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
 * POST itself (check, with JsonRpcEnvelope), before the SDK sees it, so that each fault gets its
 * JSON-RPC code and a message naming it. Whatever 4xx or 5xx the SDK still answers (an unknown session, a missing
 * session header) passes through Capture, which keeps the SDK's body — a serialized Java
 * exception — from the client and writes a JSON-RPC error with the same status instead. A
 * successful answer, streamed or not, goes straight through: Capture only diverts writes once an
 * error status was set.
 */

/** JSON-RPC error answers at {@code /mcp}: never a serialized exception, never an empty body. */
final class JsonRpcErrors {
  static final int INVALID_REQUEST = JsonRpcEnvelope.INVALID_REQUEST;
  static final int INTERNAL_ERROR = -32603;

  /** What the TypeScript SDK's server answers for an unknown session; clients know it. */
  static final int SESSION_NOT_FOUND = -32001;

  static final String MEDIA_TYPE = "application/json";

  private JsonRpcErrors() {}

  /** A JSON-RPC error to answer with an HTTP status; {@code id} is null when it is not known. */
  record Fault(int status, int code, String message, JsonNode id) {}

  /**
   * Checks that {@code body} is one JSON-RPC 2.0 message the SDK can read ({@link
   * JsonRpcEnvelope}): the fault to answer with, 400, or nothing when it is one.
   */
  static Optional<Fault> check(String body) {
    return JsonRpcEnvelope.check(body).map(e -> new Fault(400, e.code(), e.message(), e.id()));
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
  static void write(HttpServletResponse response, Fault fault) throws IOException {
    byte[] bytes =
        new JsonRpcEnvelope.Invalid(fault.code(), fault.message(), fault.id())
            .response()
            .getBytes(StandardCharsets.UTF_8);
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
    void finish(HttpServletRequest request) throws IOException {
      HttpServletResponse real = (HttpServletResponse) getResponse();
      if (errorStatus == 0 || request.isAsyncStarted() || real.isCommitted()) {
        return;
      }
      real.resetBuffer();
      write(real, forStatus(errorStatus, request));
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
