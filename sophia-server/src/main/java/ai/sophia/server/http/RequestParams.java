package ai.sophia.server.http;

import ai.sophia.error.InvalidInputException;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Query-string parameters read strictly: unknown names, repeats, and bad values are refused. */
public final class RequestParams {
  private RequestParams() {}

  /** Refuses parameters outside {@code allowed}, naming the first one found. */
  public static void allowOnly(Context ctx, Set<String> allowed) {
    for (var entry : ctx.queryParamMap().entrySet()) {
      String name = entry.getKey();
      if (!allowed.contains(name)) {
        throw new InvalidInputException(
            name,
            "unknown parameter '"
                + name
                + "'; allowed: "
                + String.join(", ", new TreeSet<>(allowed)));
      }
      if (entry.getValue().size() > 1) {
        throw new InvalidInputException(name, "parameter '" + name + "' is given more than once");
      }
    }
  }

  /**
   * An optional text parameter, stripped, at most {@code maxChars} characters; "" when absent or
   * blank.
   */
  public static String optionalText(Context ctx, String name, int maxChars) {
    List<String> values = ctx.queryParams(name);
    return values.isEmpty() || values.getFirst().isBlank() ? "" : text(ctx, name, maxChars);
  }

  /** A required text parameter, stripped, between 1 and {@code maxChars} characters. */
  public static String text(Context ctx, String name, int maxChars) {
    List<String> values = ctx.queryParams(name);
    if (values.isEmpty()) {
      throw new InvalidInputException(name, "parameter '" + name + "' is required");
    }
    String value = values.getFirst().strip();
    if (value.isEmpty()) {
      throw new InvalidInputException(name, "parameter '" + name + "' must not be empty");
    }
    if (value.length() > maxChars) {
      throw new InvalidInputException(
          name,
          "parameter '"
              + name
              + "' is "
              + value.length()
              + " characters; the limit is "
              + maxChars);
    }
    return value;
  }

  /** An optional integer parameter in [min, max], {@code fallback} when absent. */
  public static int integer(Context ctx, String name, int fallback, int min, int max) {
    List<String> values = ctx.queryParams(name);
    if (values.isEmpty()) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(values.getFirst().strip());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(name, "parameter '" + name + "' must be an integer");
    }
    if (value < min || value > max) {
      throw new InvalidInputException(
          name,
          "parameter '" + name + "' is " + value + " but must be between " + min + " and " + max);
    }
    return (int) value;
  }
}
