package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.server.Sophia;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ops/fly/*.toml against the Sophia they deploy: every SOPHIA_* setting they name is a real
 * configuration key (or a variable Sophia's code reads) and loads, every secret they tell to set is
 * one Sophia reads, the internal port is the one the server and the image listen on, the health
 * check paths answer 200 on a real server, and Fly waits longer than the graceful stop takes.
 */
class FlyConfigTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Path SINGLE = ROOT.resolve("ops/fly/fly.toml");
  private static final Path MULTI = ROOT.resolve("ops/fly/fly.multi-region.toml");
  private static final Pattern SECRET = Pattern.compile("\\b([A-Z][A-Z0-9_]+)=");

  @TempDir Path tmp;

  @Test
  void flyToml_everySettingIsAConfigKeyAndLoads_andTheDataDirIsTheVolume() throws Exception {
    JsonNode fly = toml(SINGLE);
    SophiaConfig config = load(fly);

    assertThat(config.storage().postgresBackend()).isFalse();
    assertThat(config.environment()).isEqualTo(SophiaConfig.Environment.production);
    assertThat(fly.path("mounts").path(0).path("destination").asText())
        .isEqualTo(config.dataDir().toString())
        .isEqualTo("/data");
    assertCommon(fly, config);
  }

  @Test
  void multiRegionToml_everySettingIsAConfigKeyAndLoads_andTheNodesShareEverything()
      throws Exception {
    JsonNode fly = toml(MULTI);
    SophiaConfig config = load(fly);

    assertThat(config.storage().postgresBackend()).isTrue();
    assertThat(config.storage().postgres().url()).startsWith("jdbc:postgresql://");
    assertThat(config.redis().enabled()).isTrue();
    assertThat(config.index().elasticsearchBackend()).isTrue();
    assertThat(fly.has("mounts")).as("stateless nodes keep no volume").isFalse();
    assertThat(fly.path("deploy").path("strategy").asText()).isEqualTo("rolling");
    assertCommon(fly, config);
  }

  @Test
  void secretsTheFilesTellToSet_areAllReadBySophia() throws Exception {
    Set<String> read = readBySophia();
    for (Path file : List.of(SINGLE, MULTI)) {
      Set<String> secrets = new TreeSet<>();
      for (String line : Files.readAllLines(file)) {
        int at = line.indexOf("fly secrets set ");
        if (line.startsWith("#") && at >= 0) {
          Matcher m = SECRET.matcher(line.substring(at));
          while (m.find()) {
            secrets.add(m.group(1));
          }
        }
      }
      assertThat(secrets).as(file.toString()).isNotEmpty();
      assertThat(read).as(file.toString()).containsAll(secrets);
    }
  }

  @Test
  void healthCheckPaths_answer200OnARealServer() throws Exception {
    Set<String> paths = new TreeSet<>();
    for (Path file : List.of(SINGLE, MULTI)) {
      JsonNode fly = toml(file);
      fly.path("http_service").path("checks").forEach(c -> paths.add(c.path("path").asText()));
      fly.path("checks").forEach(c -> paths.add(c.path("path").asText()));
    }
    assertThat(paths).containsExactly("/health/live", "/health/ready");
    Map<String, String> env =
        Map.of(
            "SOPHIA_DATA_DIR", tmp.resolve("data").toString(),
            "SOPHIA_SERVER_PORT", "0",
            "SOPHIA_MODELS_MODE", "offline");
    SophiaConfig config = ConfigLoader.create(env).load(Optional.empty());
    HttpClient http = HttpClient.newHttpClient();
    try (Sophia sophia = Sophia.open(config, env)) {
      int port = sophia.serve(new PrintWriter(new StringWriter()));
      for (String path : paths) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
      }
    }
  }

  /** What both files must hold: the port, the address, the checks, the stop. */
  private static void assertCommon(JsonNode fly, SophiaConfig config) throws IOException {
    int internal = fly.path("http_service").path("internal_port").asInt();
    assertThat(internal).isEqualTo(config.server().port()).isEqualTo(8080);
    assertThat(fly.path("checks").path("alive").path("port").asInt()).isEqualTo(internal);
    assertThat(config.server().host()).isEqualTo("0.0.0.0");
    // The image exposes the same port and listens there by default.
    assertThat(Files.readString(ROOT.resolve("bin/build-image.sh"))).contains("port=" + internal);
    assertThat(fly.path("kill_signal").asText()).isIn("SIGTERM", "SIGINT");
    Duration kill = Duration.ofSeconds(seconds(fly.path("kill_timeout").asText()));
    Duration stop =
        Duration.ofMillis(
            (long) config.server().shutdownDelayMs() + config.server().drainMs() + 5_000);
    assertThat(kill).as("Fly waits longer than the graceful stop takes").isGreaterThan(stop);
    assertThat(fly.path("build").path("image").asText()).isNotBlank();
  }

  private static long seconds(String duration) {
    assertThat(duration).matches("[0-9]+s");
    return Long.parseLong(duration.substring(0, duration.length() - 1));
  }

  /**
   * The file's [env] loaded as Sophia loads its environment, with stand-ins for the secrets; each
   * SOPHIA_* name must be a configuration key or a variable Sophia's code reads.
   */
  private static SophiaConfig load(JsonNode fly) throws IOException {
    Set<String> keys = configEnvNames();
    Set<String> read = readBySophia();
    Map<String, String> env = new HashMap<>();
    fly.path("env")
        .properties()
        .forEach(
            e -> {
              assertThat(e.getKey()).startsWith("SOPHIA_");
              assertThat(keys.contains(e.getKey()) || read.contains(e.getKey()))
                  .as(e.getKey() + " is a Sophia setting")
                  .isTrue();
              assertThat(e.getValue().isTextual()).as(e.getKey() + " is a string").isTrue();
              env.put(e.getKey(), e.getValue().asText());
            });
    env.put("SOPHIA_STORAGE_POSTGRES_PASSWORD", "stand-in");
    env.put("SOPHIA_REDIS_PASSWORD", "stand-in");
    return ConfigLoader.create(env).load(Optional.empty());
  }

  /** SOPHIA_ + every key path of the bundled defaults (prices are a map, not settings). */
  private static Set<String> configEnvNames() throws IOException {
    JsonNode defaults;
    try (InputStream in = SophiaConfig.class.getResourceAsStream("/sophia-defaults.yaml")) {
      defaults = new ObjectMapper(new YAMLFactory()).readTree(in);
    }
    Set<String> names = new HashSet<>();
    collect(defaults, "", names);
    return names;
  }

  private static void collect(JsonNode node, String prefix, Set<String> names) {
    node.properties()
        .forEach(
            e -> {
              String path = prefix + e.getKey();
              if (path.equals("models.prices")) {
                return;
              }
              if (e.getValue().isObject()) {
                collect(e.getValue(), path + ".", names);
              } else {
                names.add(ConfigLoader.envName(path));
              }
            });
  }

  /**
   * The environment variables Sophia's code reads by name (string literals in its main sources),
   * plus the provider keys its defaults name ({@code api_key_env}).
   */
  private static Set<String> readBySophia() throws IOException {
    Set<String> names = new HashSet<>();
    Pattern literal = Pattern.compile("\"([A-Z][A-Z0-9_]+)\"");
    List<Path> sources;
    try (Stream<Path> modules = Files.list(ROOT)) {
      sources = modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).toList();
    }
    for (Path source : sources) {
      try (Stream<Path> files = Files.walk(source)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          Matcher m = literal.matcher(Files.readString(f));
          while (m.find()) {
            names.add(m.group(1));
          }
        }
      }
    }
    Matcher m =
        Pattern.compile("api_key_env: ([A-Z0-9_]+)")
            .matcher(
                new String(
                    SophiaConfig.class.getResourceAsStream("/sophia-defaults.yaml").readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static JsonNode toml(Path file) throws IOException {
    return new TomlMapper().readTree(file.toFile());
  }
}
