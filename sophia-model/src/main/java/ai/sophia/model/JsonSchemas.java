package ai.sophia.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a JSON schema (Jackson tree) into LangChain4j's schema elements. LangChain4j 1.19 has
 * {@code JsonRawSchema}, and its OpenAI mapper sends one verbatim as a response format, but tool
 * parameters must be a {@link JsonObjectSchema} and the Anthropic mapper only understands the typed
 * elements, so the tree is converted: object, array, string (enum), integer, number, boolean, null,
 * anyOf, $ref and $defs, with descriptions. Keywords beyond those (formats, bounds) are dropped.
 */
final class JsonSchemas {
  private JsonSchemas() {}

  /** The schema of an object, e.g. a tool's parameters; a schema without properties is empty. */
  static JsonObjectSchema object(JsonNode schema) {
    if (schema.path("type").asText("object").equals("object")) {
      return (JsonObjectSchema) element(schema.isObject() ? schema : emptyObject());
    }
    throw new IllegalArgumentException("a tool's parameters must be a JSON schema of an object");
  }

  static JsonSchemaElement element(JsonNode node) {
    String description = node.hasNonNull("description") ? node.get("description").asText() : null;
    if (node.has("$ref")) {
      String ref = node.get("$ref").asText();
      return JsonReferenceSchema.builder()
          .reference(ref.substring(ref.lastIndexOf('/') + 1))
          .build();
    }
    if (node.has("enum")) {
      List<String> values = new ArrayList<>();
      node.get("enum").forEach(v -> values.add(v.asText()));
      return JsonEnumSchema.builder().enumValues(values).description(description).build();
    }
    if (node.has("anyOf") || node.has("oneOf")) {
      List<JsonSchemaElement> options = new ArrayList<>();
      node.get(node.has("anyOf") ? "anyOf" : "oneOf").forEach(o -> options.add(element(o)));
      return JsonAnyOfSchema.builder().anyOf(options).description(description).build();
    }
    JsonNode type = node.get("type");
    if (type != null && type.isArray()) {
      List<JsonSchemaElement> options = new ArrayList<>();
      type.forEach(t -> options.add(element(withType(node, t.asText()))));
      return JsonAnyOfSchema.builder().anyOf(options).description(description).build();
    }
    String name = type == null ? (node.has("properties") ? "object" : "string") : type.asText();
    return switch (name) {
      case "object" -> objectElement(node, description);
      case "array" ->
          JsonArraySchema.builder()
              .items(node.has("items") ? element(node.get("items")) : stringElement(null))
              .description(description)
              .build();
      case "integer" -> JsonIntegerSchema.builder().description(description).build();
      case "number" -> JsonNumberSchema.builder().description(description).build();
      case "boolean" -> JsonBooleanSchema.builder().description(description).build();
      case "null" -> new JsonNullSchema();
      default -> stringElement(description);
    };
  }

  private static JsonObjectSchema objectElement(JsonNode node, String description) {
    Map<String, JsonSchemaElement> properties = new LinkedHashMap<>();
    node.path("properties")
        .properties()
        .forEach(e -> properties.put(e.getKey(), element(e.getValue())));
    List<String> required = new ArrayList<>();
    node.path("required").forEach(r -> required.add(r.asText()));
    JsonObjectSchema.Builder builder =
        JsonObjectSchema.builder().description(description).addProperties(properties);
    if (!required.isEmpty()) {
      builder.required(required);
    }
    if (node.has("additionalProperties") && node.get("additionalProperties").isBoolean()) {
      builder.additionalProperties(node.get("additionalProperties").asBoolean());
    }
    JsonNode defs = node.has("$defs") ? node.get("$defs") : node.get("definitions");
    if (defs != null && defs.isObject()) {
      Map<String, JsonSchemaElement> definitions = new LinkedHashMap<>();
      defs.properties().forEach(e -> definitions.put(e.getKey(), element(e.getValue())));
      builder.definitions(definitions);
    }
    return builder.build();
  }

  private static JsonStringSchema stringElement(String description) {
    return JsonStringSchema.builder().description(description).build();
  }

  private static JsonNode withType(JsonNode node, String type) {
    com.fasterxml.jackson.databind.node.ObjectNode copy =
        ((com.fasterxml.jackson.databind.node.ObjectNode) node).deepCopy();
    copy.put("type", type);
    copy.remove("description");
    return copy;
  }

  private static JsonNode emptyObject() {
    return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
  }
}
