package ai.sophia.deploy;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Builds the configured targets ({@code deploy.targets}), filling in each type's defaults. */
final class Targets {
  static final String FLY_API = "https://api.machines.dev/v1";
  static final String FLY_TOKEN_ENV = "FLY_API_TOKEN";
  static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(60);
  static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);
  static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(30);

  private Targets() {}

  static Map<String, Target> create(SophiaConfig config, Secrets secrets, HttpClient http) {
    Map<String, Target> out = new TreeMap<>();
    Map<String, SophiaConfig.DeployTarget> configured = config.deploy().targets();
    if (configured == null) {
      return out;
    }
    HealthProbe probe = new HealthProbe(http);
    Path dataDir = config.dataDir();
    configured.forEach((name, t) -> out.put(name, create(name, t, secrets, http, probe, dataDir)));
    return out;
  }

  private static Target create(
      String name,
      SophiaConfig.DeployTarget t,
      Secrets secrets,
      HttpClient http,
      HealthProbe probe,
      Path dataDir) {
    Duration health =
        t.healthTimeoutMs() == null ? HEALTH_TIMEOUT : Duration.ofMillis(t.healthTimeoutMs());
    Optional<URI> healthUrl = Optional.ofNullable(t.healthUrl()).map(URI::create);
    String url = t.url() == null ? "" : t.url();
    Path dir = t.workingDir() == null ? Path.of(".") : Path.of(t.workingDir());
    Map<String, String> env = t.env() == null ? Map.of() : t.env();
    return switch (t.type()) {
      case "fly" -> {
        String tokenEnv = t.tokenEnv() == null ? FLY_TOKEN_ENV : t.tokenEnv();
        yield new FlyTarget(
            name,
            t.app(),
            t.image() == null ? "" : t.image(),
            t.strategy() == null ? "rolling" : t.strategy(),
            tokenEnv,
            secrets.get(tokenEnv),
            t.apiUrl() == null ? FLY_API : t.apiUrl(),
            http,
            healthUrl,
            health,
            t.waitTimeoutS() == null ? 60 : t.waitTimeoutS(),
            url.isEmpty() ? "https://" + t.app() + ".fly.dev" : url,
            probe);
      }
      case "local" ->
          new LocalProcessTarget(
              name,
              t.command(),
              t.ports(),
              t.healthPath() == null ? "/" : t.healthPath(),
              dir,
              env,
              health,
              url,
              dataDir.resolve("deploy").resolve(name),
              probe);
      case "webhook" ->
          new WebhookTarget(
              name,
              URI.create(t.webhookUrl()),
              t.secretEnv(),
              secrets.get(t.secretEnv()),
              healthUrl,
              t.timeoutMs() == null ? WEBHOOK_TIMEOUT : Duration.ofMillis(t.timeoutMs()),
              health,
              url,
              http,
              probe);
      default ->
          new CommandTarget(
              name,
              t.command(),
              t.rollbackCommand() == null ? List.of() : t.rollbackCommand(),
              healthUrl,
              t.timeoutMs() == null ? COMMAND_TIMEOUT : Duration.ofMillis(t.timeoutMs()),
              health,
              dir,
              env,
              url,
              probe);
    };
  }
}
