package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.UnavailableException;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import ai.sophia.security.ApiKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The composition root over real storage: start-up order, the bootstrap key, failed starts. */
class SophiaTest {
  private static final Pattern SECRET = Pattern.compile("shown once\\): (sk-sophia-\\S+)");
  @TempDir Path dir;

  private SophiaConfig config(int port) {
    return ConfigLoader.create(
            Map.of("SOPHIA_DATA_DIR", dir.toString(), "SOPHIA_SERVER_PORT", Integer.toString(port)))
        .load(Optional.empty());
  }

  @Test
  void serve_firstStart_printsABootstrapAdminKeyOnceAndItWorks() throws Exception {
    StringWriter firstConsole = new StringWriter();
    String secret;
    try (Sophia sophia = Sophia.open(config(0), Map.of())) {
      int port = sophia.serve(new PrintWriter(firstConsole));
      Matcher m = SECRET.matcher(firstConsole.toString());
      assertThat(m.find()).as(firstConsole.toString()).isTrue();
      secret = m.group(1);
      assertThat(firstConsole.toString()).startsWith("┌").contains("└");
      // Beside it, only the key the server keeps for the CLI on this data directory.
      List<ApiKey> keys =
          sophia.apiKeys().list().stream()
              .filter(k -> !k.name().startsWith(RunningServer.KEY_NAME))
              .toList();
      assertThat(sophia.apiKeys().countActive()).isEqualTo(2);
      assertThat(keys)
          .singleElement()
          .satisfies(
              k -> {
                assertThat(k.name()).isEqualTo("bootstrap");
                assertThat(k.role()).isEqualTo(ai.sophia.security.Role.admin);
              });
      HttpResponse<String> stats =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/api/v1/system/stats"))
                      .header("Authorization", "Bearer " + secret)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(stats.statusCode()).isEqualTo(200);
    }

    StringWriter secondConsole = new StringWriter();
    try (Sophia sophia = Sophia.open(config(0), Map.of())) {
      sophia.serve(new PrintWriter(secondConsole));
      assertThat(secondConsole.toString()).isEmpty();
      // The bootstrap key and this start's CLI key; the first start's CLI key was revoked.
      assertThat(sophia.apiKeys().countActive()).isEqualTo(2);
      assertThat(sophia.apiKeys().authenticate(secret)).isPresent();
    }
    assertThat(
            Files.readString(
                dir.resolve("sophia.db"), java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain(secret);
  }

  @Test
  void encryptionKeyInTheEnvironment_healthSaysWhichKeySeals_badKeyStopsStartUp() throws Exception {
    String key = "k2026:" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
    try (Sophia sophia = Sophia.open(config(0), Map.of("SOPHIA_ENCRYPTION_KEYS", key))) {
      int port = sophia.serve(new PrintWriter(new StringWriter()));
      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(health.body())
          .contains("\"name\":\"encryption\"")
          .contains("sealing with key 'k2026'")
          .doesNotContain(key.substring(6));
    }
    assertThatThrownBy(() -> Sophia.open(config(0), Map.of("SOPHIA_ENCRYPTION_KEYS", "k:AAAA")))
        .isInstanceOf(ai.sophia.error.ConfigException.class)
        .hasMessageContaining("AES-256 needs 32");
  }

  @Test
  void serve_requiredComponentDown_startUpStopsNamingIt() {
    try (Sophia sophia = Sophia.open(config(0), Map.of())) {
      sophia
          .health()
          .register(
              HealthCheck.of(
                  "vector-store", Duration.ofSeconds(1), () -> HealthStatus.down("disk full")));

      assertThatThrownBy(() -> sophia.serve(new PrintWriter(new StringWriter())))
          .isInstanceOf(UnavailableException.class)
          .hasMessageContaining("vector-store: disk full");
      assertThat(sophia.apiKeys().countActive()).isZero();
    }
  }

  @Test
  void serve_portTaken_clearErrorNamingThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Sophia sophia = Sophia.open(config(taken.getLocalPort()), Map.of())) {
      assertThatThrownBy(() -> sophia.serve(new PrintWriter(new StringWriter())))
          .isInstanceOf(UnavailableException.class)
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("--port");
    }
  }

  @Test
  void withApiKeys_besideAnOpenSophia_worksOnTheSameStore() {
    try (Sophia sophia = Sophia.open(config(0), Map.of())) {
      var issued =
          Sophia.withApiKeys(
              sophia.config(), Map.of(), store -> store.create("ci", ai.sophia.security.Role.user));

      assertThat(sophia.apiKeys().authenticate(issued.secret())).isPresent();
    }
  }
}
