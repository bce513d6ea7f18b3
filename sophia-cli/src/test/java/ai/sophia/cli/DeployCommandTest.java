package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.deploy.DeployFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sophia deploy} deploying a real local service, which outlives the command. */
class DeployCommandTest {
  private static final Pattern ID = Pattern.compile("deploy-[0-9a-f]{8}");

  @TempDir Path dir;
  Path config;
  String yaml;

  @BeforeEach
  void setUp() throws Exception {
    Path service = DeployFixture.service(dir);
    yaml = "deploy:\n  targets:\n" + DeployFixture.localTarget("web", service, 5000);
    config = Files.writeString(dir.resolve("sophia.yaml"), yaml);
  }

  @AfterEach
  void stopServices() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    try (DeployFixture fx = DeployFixture.open(data, yaml, Map.of())) {
      fx.stopServices();
    }
  }

  private CliRun sophia(String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--config", config.toString(), "--data-dir", dir.resolve("data").toString()));
    all.add("deploy");
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(String[]::new));
  }

  private static String id(CliRun run) {
    Matcher m = ID.matcher(run.out());
    assertThat(m.find()).as(run.out()).isTrue();
    return m.group();
  }

  @Test
  void deploy_healthyThenBroken_printsLiveLinesAndKeepsTheOldVersion() {
    CliRun v1 = sophia("web", "--version", "v1", "--env", "staging");

    assertThat(v1.exitCode()).as(v1.err()).isZero();
    assertThat(v1.err()).contains("== running", "health check passed", "== healthy");
    assertThat(v1.out()).contains(" healthy http://127.0.0.1:", "environment  staging");
    String url = v1.out().replaceAll("(?s).*healthy (http://\\S+).*", "$1");
    assertThat(DeployFixture.get(url + "/")).isEqualTo("version v1");

    CliRun broken = sophia("web", "--version", "broken-2");

    assertThat(broken.exitCode()).isEqualTo(1);
    assertThat(broken.out()).contains("rolled_back");
    assertThat(DeployFixture.get(url + "/")).isEqualTo("version v1");

    CliRun history = sophia("history");
    assertThat(history.exitCode()).isZero();
    assertThat(history.out()).contains(id(broken), id(v1), "rolled_back", "healthy");
    CliRun status = sophia("status", id(v1));
    assertThat(status.out()).contains("== requested", "== running", "== healthy");
  }

  @Test
  void deploy_rollback_bringsThePreviousVersionBack() {
    sophia("web", "--version", "v1");
    CliRun v2 = sophia("web", "--version", "v2");

    CliRun back = sophia("rollback", id(v2));

    assertThat(back.exitCode()).as(back.err()).isZero();
    assertThat(back.out()).contains("version      v1");
    String url = back.out().replaceAll("(?s).*healthy (http://\\S+).*", "$1");
    assertThat(DeployFixture.get(url + "/")).isEqualTo("version v1");
  }

  @Test
  void deploy_unknownTargetOrStrategy_failsNamingIt() {
    CliRun unknown = sophia("nope");
    CliRun strategy = sophia("web", "--strategy", "canary");

    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.err()).contains("sophia:", "unknown target 'nope'");
    assertThat(strategy.exitCode()).isNotZero();
    assertThat(strategy.err()).contains("bluegreen");
  }
}
