package ai.sophia.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.Map;

/**
 * Sophia's objects as MCP structured content: the same snake_case JSON as the REST API, as maps the
 * SDK serializes.
 */
final class Structured {
  static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private Structured() {}

  static Map<String, Object> map(Object value) {
    return JSON.convertValue(value, MAP);
  }

  static String text(Object value) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  /** A JSON schema from a compact description, parsed once at start-up. */
  static Map<String, Object> schema(String json) {
    try {
      return JSON.readValue(json.replace('\'', '"'), MAP);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("bad schema: " + json, e);
    }
  }

  /**
   * A tool's arguments as the edge record the REST API reads too.
   *
   * @throws ai.sophia.error.InvalidInputException naming the argument of the wrong type
   */
  static <T> T read(Map<String, Object> args, Class<T> type) {
    try {
      return JSON.convertValue(args, type);
    } catch (IllegalArgumentException e) {
      String field =
          e.getCause() instanceof com.fasterxml.jackson.databind.JsonMappingException m
                  && !m.getPath().isEmpty()
                  && m.getPath().getFirst().getFieldName() != null
              ? m.getPath().getFirst().getFieldName()
              : "arguments";
      throw new ai.sophia.error.InvalidInputException(
          field, field + " has the wrong type for this tool");
    }
  }
}
