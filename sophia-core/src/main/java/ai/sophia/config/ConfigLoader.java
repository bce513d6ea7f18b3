package ai.sophia.config;

import ai.sophia.error.ConfigException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Loads {@link SophiaConfig}: bundled defaults, then the operator's YAML file, then {@code
 * SOPHIA_*} environment variables. Every problem is collected and reported at once, each naming its
 * key, so a bad start-up is fixed in one go.
 */
public final class ConfigLoader {
  private static final String DEFAULTS = "/sophia-defaults.yaml";
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private final Map<String, String> env;

  private ConfigLoader(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** A loader that reads the given environment (the process environment in production). */
  public static ConfigLoader create(Map<String, String> env) {
    return new ConfigLoader(Objects.requireNonNull(env, "env"));
  }

  /**
   * Loads the configuration. {@code file} may be absent; when present it must exist. Without a
   * file, {@code sophia.yaml} in the working directory is used if there is one.
   */
  public SophiaConfig load(Optional<Path> file) {
    List<String> problems = new ArrayList<>();
    ObjectNode tree = readDefaults();
    Optional<Path> chosen = file.or(() -> existing(Path.of("sophia.yaml")));
    chosen.ifPresent(path -> mergeFile(tree, path, problems));
    applyEnvironment(tree, "", problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    SophiaConfig config;
    try {
      config = YAML.treeToValue(tree, SophiaConfig.class);
    } catch (IOException e) {
      throw new ConfigException(List.of(describe(e)));
    }
    ConfigValidator.validate(config, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  private static Optional<Path> existing(Path path) {
    return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
  }

  private static ObjectNode readDefaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS)) {
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("bundled defaults unreadable", e);
    }
  }

  private static void mergeFile(ObjectNode tree, Path path, List<String> problems) {
    if (!Files.isRegularFile(path)) {
      problems.add("config file " + path + " does not exist or is not a file");
      return;
    }
    JsonNode user;
    try {
      user = YAML.readTree(path.toFile());
    } catch (IOException e) {
      problems.add("config file " + path + " is not valid YAML: " + firstLine(e.getMessage()));
      return;
    }
    if (user == null || user.isMissingNode() || user.isNull()) {
      return;
    }
    if (!user.isObject()) {
      problems.add("config file " + path + " must be a mapping of keys to values");
      return;
    }
    merge(tree, (ObjectNode) user, "", problems);
  }

  /**
   * Mappings whose keys the operator chooses (agent names, model refs, key ids): their entries are
   * added to the defaults' entries instead of being checked against them.
   */
  static final java.util.Set<String> OPEN_MAPS =
      java.util.Set.of(
          "models.prices",
          "models.key_budgets",
          "agents.definitions",
          "code.repositories",
          "mcp.servers",
          "deploy.targets");

  private static void merge(ObjectNode base, ObjectNode over, String prefix, List<String> out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = prefix + field.getKey();
      JsonNode current = base.get(field.getKey());
      if (current != null && OPEN_MAPS.contains(key) && field.getValue().isObject()) {
        ((ObjectNode) current).setAll((ObjectNode) field.getValue());
      } else if (current == null) {
        out.add("unknown key '" + key + "'");
      } else if (current.isObject() && field.getValue().isObject()) {
        merge((ObjectNode) current, (ObjectNode) field.getValue(), key + ".", out);
      } else if (current.isObject()) {
        out.add("key '" + key + "' must be a mapping");
      } else {
        base.set(field.getKey(), field.getValue());
      }
    }
  }

  /** Each leaf of the defaults can be overridden by SOPHIA_ + its path in upper case. */
  private void applyEnvironment(ObjectNode node, String prefix, List<String> problems) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String path = prefix + field.getKey();
      if (OPEN_MAPS.contains(path)) {
        continue;
      }
      if (field.getValue().isObject()) {
        applyEnvironment((ObjectNode) field.getValue(), path + ".", problems);
        continue;
      }
      String value = env.get(envName(path));
      if (value == null) {
        continue;
      }
      if (field.getValue().isArray()) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (String item : value.split(",")) {
          if (!item.isBlank()) {
            list.add(item.strip());
          }
        }
        node.set(field.getKey(), list);
      } else {
        node.put(field.getKey(), value);
      }
    }
  }

  /** The environment variable that overrides a key path, e.g. SOPHIA_SERVER_PORT. */
  public static String envName(String keyPath) {
    return "SOPHIA_" + keyPath.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
  }

  private static String describe(IOException e) {
    if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
      StringBuilder path = new StringBuilder();
      for (var ref : m.getPath()) {
        if (ref.getFieldName() != null) {
          path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
        } else {
          path.append('[').append(ref.getIndex()).append(']');
        }
      }
      return "key '" + path + "': " + firstLine(m.getOriginalMessage());
    }
    return firstLine(e.getMessage());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
