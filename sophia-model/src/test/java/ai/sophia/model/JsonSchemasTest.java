package ai.sophia.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import org.junit.jupiter.api.Test;

class JsonSchemasTest {
  @Test
  void object_nestedSchema_keepsTypesRequiredDescriptionsAndDefs() {
    JsonObjectSchema schema =
        JsonSchemas.object(
            ScriptedProviderServer.parse(
                "{\"type\":\"object\",\"description\":\"a plan\",\"properties\":{"
                    + "\"steps\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/step\"}},"
                    + "\"mode\":{\"enum\":[\"fast\",\"slow\"]},"
                    + "\"limit\":{\"type\":[\"integer\",\"null\"]}},"
                    + "\"required\":[\"steps\"],\"additionalProperties\":false,"
                    + "\"$defs\":{\"step\":{\"type\":\"object\",\"properties\":"
                    + "{\"n\":{\"type\":\"integer\",\"description\":\"order\"}}}}}"));

    assertThat(schema.description()).isEqualTo("a plan");
    assertThat(schema.required()).containsExactly("steps");
    assertThat(schema.additionalProperties()).isFalse();
    assertThat(schema.properties().get("steps")).isInstanceOf(JsonArraySchema.class);
    assertThat(((JsonArraySchema) schema.properties().get("steps")).items())
        .isEqualTo(JsonReferenceSchema.builder().reference("step").build());
    assertThat(((JsonEnumSchema) schema.properties().get("mode")).enumValues())
        .containsExactly("fast", "slow");
    assertThat(schema.properties().get("limit")).isInstanceOf(JsonAnyOfSchema.class);
    JsonObjectSchema step = (JsonObjectSchema) schema.definitions().get("step");
    assertThat(step.properties().get("n"))
        .isEqualTo(JsonIntegerSchema.builder().description("order").build());
  }

  @Test
  void object_notAnObjectSchema_rejected() {
    assertThatThrownBy(
            () -> JsonSchemas.object(ScriptedProviderServer.parse("{\"type\":\"string\"}")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
