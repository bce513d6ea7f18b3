package ai.sophia.server.http;

import ai.sophia.error.InvalidInputException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Reads JSON request bodies strictly and explains every refusal: wrong content type (415), too
 * large (413, checked while reading, so a missing or lying Content-Length does not help), malformed
 * JSON (where it broke), not an object, unknown fields and wrong types (the field by name). Every
 * refusal is a 4xx; none reaches the handler.
 */
public final class RequestBodies {
  private final ObjectMapper mapper;
  private final int maxBytes;

  public RequestBodies(ObjectMapper mapper, int maxBytes) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.maxBytes = maxBytes;
  }

  /**
   * {@link #read}, or {@code absent} when the request has no body at all (every field optional).
   */
  public <T> T readOrDefault(Context ctx, Class<T> type, T absent) {
    if (ctx.contentLength() <= 0 && ctx.header("Transfer-Encoding") == null) {
      return absent;
    }
    return read(ctx, type);
  }

  /** The body as a {@code type}, a record whose components are the allowed fields. */
  public <T> T read(Context ctx, Class<T> type) {
    requireJson(ctx.contentType());
    byte[] body = readBounded(ctx);
    if (body.length == 0) {
      throw new InvalidInputException("body", "the request body is empty; send a JSON object");
    }
    try {
      T value = mapper.readValue(body, type);
      if (value == null) {
        throw new InvalidInputException("body", "the request body must be a JSON object, not null");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidInputException(
          e.getPropertyName(),
          "unknown field '"
              + e.getPropertyName()
              + "'; allowed: "
              + names(e.getKnownPropertyIds()));
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof InvalidInputException invalid) {
        throw invalid;
      }
      throw new InvalidInputException(fieldOf(e), "the request body does not fit: " + firstLine(e));
    } catch (MismatchedInputException e) {
      throw mismatched(e);
    } catch (InputCoercionException e) {
      String field =
          e.getProcessor() instanceof JsonParser p ? p.getParsingContext().getCurrentName() : null;
      throw new InvalidInputException(
          field == null ? "body" : field,
          (field == null ? "a number" : "field '" + field + "'") + " is out of range");
    } catch (StreamReadException e) {
      var where = e.getLocation();
      throw new InvalidInputException(
          "body",
          "malformed JSON at line "
              + where.getLineNr()
              + ", column "
              + where.getColumnNr()
              + ": "
              + firstLine(e));
    } catch (JsonMappingException e) {
      String field = fieldOf(e);
      if (e.getCause() instanceof InputCoercionException) {
        throw new InvalidInputException(field, "field '" + field + "' is out of range");
      }
      throw new InvalidInputException(field, "the request body does not fit: " + firstLine(e));
    } catch (IOException e) {
      throw new InvalidInputException("body", "the request body could not be read");
    }
  }

  private static void requireJson(String contentType) {
    if (contentType == null) {
      throw new HttpResponseException(415, "Content-Type must be application/json; none was sent");
    }
    String[] parts = contentType.split(";");
    String media = parts[0].strip().toLowerCase(Locale.ROOT);
    boolean json = media.equals("application/json");
    boolean utf8 = true;
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].strip().toLowerCase(Locale.ROOT);
      if (parameter.startsWith("charset=")) {
        String charset = parameter.substring("charset=".length()).replace("\"", "");
        utf8 = charset.equals("utf-8") || charset.equals("utf8");
      }
    }
    if (!json || !utf8) {
      throw new HttpResponseException(
          415, "Content-Type must be application/json (UTF-8); got '" + contentType.strip() + "'");
    }
  }

  private byte[] readBounded(Context ctx) {
    try (InputStream in = ctx.req().getInputStream()) {
      if (ctx.req().getContentLengthLong() > maxBytes) {
        drain(in);
        throw tooLarge();
      }
      byte[] body = in.readNBytes(maxBytes + 1);
      if (body.length > maxBytes) {
        drain(in);
        throw tooLarge();
      }
      return body;
    } catch (IOException e) {
      throw new InvalidInputException("body", "the request body could not be read");
    }
  }

  /**
   * Reads and drops the rest of a refused body, up to {@link #DRAIN_BYTES}. A server that answers
   * 413 and closes with the body still unread makes the kernel reset the connection, and the client
   * may lose the answer before it reads it; past the bound it is closed all the same.
   */
  static void drain(InputStream in) throws IOException {
    byte[] buffer = new byte[8192];
    long dropped = 0;
    for (int n; dropped < DRAIN_BYTES && (n = in.read(buffer)) != -1; ) {
      dropped += n;
    }
  }

  /** The most of a refused body that is read and dropped before answering 413. */
  static final long DRAIN_BYTES = 4L << 20;

  private HttpResponseException tooLarge() {
    return new HttpResponseException(
        413, "the request body is larger than the limit of " + maxBytes + " bytes");
  }

  private static InvalidInputException mismatched(MismatchedInputException e) {
    String field = path(e);
    Class<?> target = e.getTargetType();
    if (field.isEmpty()) {
      String message = Objects.requireNonNullElse(e.getOriginalMessage(), "");
      return new InvalidInputException(
          "body",
          message.startsWith("Trailing token")
              ? "the request body has more data after its JSON object"
              : "the request body must be a JSON object");
    }
    String expected = target == null ? "of another type" : describe(target);
    return new InvalidInputException(field, "field '" + field + "' must be " + expected);
  }

  private static String fieldOf(JsonMappingException e) {
    String path = path(e);
    return path.isEmpty() ? "body" : path;
  }

  /** The JSON path of the failure, e.g. {@code sources_limit} or {@code items[2].name}. */
  private static String path(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        out.append(out.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  private static String describe(Class<?> type) {
    if (type == String.class || type == Character.class || type == char.class) {
      return "a string";
    }
    if (type == Integer.class
        || type == int.class
        || type == Long.class
        || type == long.class
        || type == Short.class
        || type == short.class) {
      return "an integer";
    }
    if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "an array";
    }
    if (type.isEnum()) {
      return "one of " + java.util.Arrays.toString(type.getEnumConstants());
    }
    return "an object";
  }

  private static String names(Collection<Object> known) {
    TreeSet<String> sorted = new TreeSet<>();
    known.forEach(k -> sorted.add(String.valueOf(k)));
    return String.join(", ", sorted);
  }

  private static String firstLine(JsonProcessingException e) {
    String message = Objects.requireNonNullElse(e.getOriginalMessage(), "unreadable");
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
