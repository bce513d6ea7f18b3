package ai.sophia.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Set;

/**
 * Checks a tool's JSON arguments. A bad argument is the model's mistake, not Sophia's: the check
 * throws {@link Bad}, which each tool turns into a {@link ToolOutput.Failure} the model can read.
 */
final class Arguments {
  static final ObjectMapper JSON = new ObjectMapper();

  private Arguments() {}

  /** A bad argument, named in the message. */
  static final class Bad extends RuntimeException {
    Bad(String message) {
      super(message, null, false, false);
    }
  }

  static void onlyFields(JsonNode args, Set<String> allowed) {
    if (args == null || !args.isObject()) {
      throw new Bad("arguments must be a JSON object");
    }
    for (Iterator<String> names = args.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new Bad("unknown argument '" + name + "' (allowed: " + allowed + ")");
      }
    }
  }

  static String requiredText(JsonNode args, String field, int maxChars) {
    JsonNode node = args.get(field);
    if (node == null || node.isNull()) {
      throw new Bad("'" + field + "' is required");
    }
    if (!node.isTextual()) {
      throw new Bad("'" + field + "' must be a string");
    }
    String text = node.asText().strip();
    if (text.isEmpty()) {
      throw new Bad("'" + field + "' must not be empty");
    }
    if (text.length() > maxChars) {
      throw new Bad("'" + field + "' is longer than " + maxChars + " characters");
    }
    return text;
  }

  static int optionalInt(JsonNode args, String field, int fallback, int min, int max) {
    JsonNode node = args.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isIntegralNumber()) {
      throw new Bad("'" + field + "' must be an integer");
    }
    int value = node.asInt();
    if (value < min || value > max) {
      throw new Bad("'" + field + "' is " + value + " but must be between " + min + " and " + max);
    }
    return value;
  }

  /** A JSON schema object with these string/integer properties. */
  static ObjectNode schema(String[][] properties, String... required) {
    ObjectNode schema = JSON.createObjectNode().put("type", "object");
    ObjectNode props = schema.putObject("properties");
    for (String[] p : properties) {
      props.putObject(p[0]).put("type", p[1]).put("description", p[2]);
    }
    var req = schema.putArray("required");
    for (String r : required) {
      req.add(r);
    }
    schema.put("additionalProperties", false);
    return schema;
  }
}
