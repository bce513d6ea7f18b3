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
}
