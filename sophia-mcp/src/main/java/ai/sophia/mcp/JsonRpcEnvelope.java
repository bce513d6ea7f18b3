package ai.sophia.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Optional;

/*
 * Design: the JSON-RPC envelope of an inbound MCP message, checked before the SDK sees it, over
 * HTTP (McpGate) and stdio (SophiaMcp.serveStdio), so that each fault gets its JSON-RPC code and a
 * message naming it. It accepts only what the SDK can read (its Jackson 3 mapper): over HTTP the
 * SDK logs every body it cannot deserialize as an ERROR ("Failed to deserialize message"), and over
 * stdio it logs one with a stack trace and stops reading stdin, so input alone must never get that
 * far. Jackson 3 reads at most MAX_DEPTH levels, fails on trailing content, wants an id that fits
 * a long and a response error with a code and a string message; Jackson 2 (ours) allows all four.
 * Quieting the SDK's loggers instead would also hide their real errors (a failed send), and would
 * not keep stdio alive.
 */

/** Whether an inbound message is one JSON-RPC 2.0 message the MCP SDK can read. */
public final class JsonRpcEnvelope {
  public static final int PARSE_ERROR = -32700;
  public static final int INVALID_REQUEST = -32600;
  public static final int INVALID_PARAMS = -32602;

  /** How deep the SDK's reader (Jackson 3's default) nests a message, Jackson 2 reading 1000. */
  public static final int MAX_DEPTH = 500;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory READER =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          .build();

  private JsonRpcEnvelope() {}

  /** A JSON-RPC error to answer with; {@code id} is null when it is not known. */
  public record Invalid(int code, String message, JsonNode id) {
    /** The JSON-RPC error response, as one line of JSON. */
    public String response() {
      ObjectNode body = MAPPER.createObjectNode().put("jsonrpc", "2.0");
      body.set("id", id == null ? body.nullNode() : id);
      body.putObject("error").put("code", code).put("message", message);
      return body.toString();
    }
  }

  /**
   * Checks that {@code body} is one JSON-RPC 2.0 message (a request, a notification or a response
   * to the server): the error to answer with, or nothing when it is one.
   */
  public static Optional<Invalid> check(String body) {
    if (body.isBlank()) {
      return fault(PARSE_ERROR, "Parse error: the body is empty; send one JSON-RPC message", null);
    }
    JsonNode message;
    try (JsonParser parser = READER.createParser(body)) {
      message = MAPPER.readTree(parser);
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
  private static Optional<Invalid> toolCall(JsonNode params, JsonNode id) {
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

  private static Optional<Invalid> fault(int code, String message, JsonNode id) {
    return Optional.of(new Invalid(code, message, id));
  }
}
