package ai.sophia.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code swarm:} configuration section: defaults and the checks that name the bad key. */
class SwarmSettingsTest {
  @TempDir Path dir;

  @Test
  void load_defaults_areValid() throws Exception {
    SophiaConfig c =
        ConfigLoader.create(Map.of())
            .load(Optional.of(Files.writeString(dir.resolve("empty.yaml"), "")));

    assertThat(c.swarm().stepAttempts()).isEqualTo(2);
    assertThat(c.swarm().retentionDays()).isEqualTo(30);
    assertThat(c.swarm().leaseMs()).isEqualTo(30_000);
    assertThat(c.swarm().nodeName()).isEmpty();
  }

  @Test
  void load_badSwarmValues_namesEachKey() throws Exception {
    Path bad =
        Files.writeString(
            dir.resolve("bad.yaml"),
            "swarm:\n  step_timeout_ms: 5\n  step_attempts: 0\n  run_deadline_ms: 10\n"
                + "  retention_days: 0\n  quality_threshold: 1.5\n  lease_ms: 500\n"
                + "  node_name: \"host/1\"\n");

    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(bad)))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .anyMatch(p -> p.startsWith("swarm.step_timeout_ms is 5"))
                    .anyMatch(p -> p.startsWith("swarm.step_attempts is 0"))
                    .anyMatch(p -> p.startsWith("swarm.run_deadline_ms is 10"))
                    .anyMatch(p -> p.startsWith("swarm.retention_days is 0"))
                    .anyMatch(p -> p.startsWith("swarm.quality_threshold is 1.5"))
                    .anyMatch(p -> p.startsWith("swarm.lease_ms is 500"))
                    .anyMatch(p -> p.startsWith("swarm.node_name must be")));
  }
}
