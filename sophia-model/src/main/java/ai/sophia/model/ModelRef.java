package ai.sophia.model;

import ai.sophia.error.InvalidInputException;
import java.util.Objects;

/**
 * One model at one provider, written {@code provider:model}: {@code
 * openrouter:anthropic/claude-sonnet-4}, {@code anthropic:claude-sonnet-4-20250514}, {@code
 * openai_compatible:llama3.1}.
 */
public record ModelRef(String provider, String model) {
  public ModelRef {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
  }

  /**
   * Parses {@code provider:model}.
   *
   * @throws InvalidInputException naming {@code field} when the text is not of that form
   */
  public static ModelRef parse(String text, String field) {
    int colon = text == null ? -1 : text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new InvalidInputException(
          field, "'" + text + "' is not provider:model, e.g. openrouter:anthropic/claude-sonnet-4");
    }
    return new ModelRef(text.substring(0, colon), text.substring(colon + 1));
  }

  @Override
  public String toString() {
    return provider + ":" + model;
  }
}
