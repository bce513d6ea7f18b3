package ai.sophia.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real child JVM (SIGKILL) in the middle of a run and resumes it in a new one: completed
 * steps are not run again and the side effect happens exactly once.
 */
class SwarmCrashTest {
  @TempDir Path dir;

  @Test
  void resumeUnfinished_afterKillsDuringFanOutAndSideEffect_completesWithEffectOnce()
      throws Exception {
    Process first = child("start", "first.out");
    // Killed while the last fan-out branch runs, the first two committed.
    waitFor(() -> steps("succeeded").containsAll(List.of("agents[0]", "agents[1]")), first);
    first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(steps("succeeded")).doesNotContain("agents[2]", "agents");

    Process second = child("resume", "second.out");
    // Killed after the commit step's effect happened, before its result was committed.
    waitFor(() -> effects() == 1, second);
    second.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(steps("succeeded")).contains("agents").doesNotContain("commit");

    Process third = child("resume", "third.out");
    assertThat(third.waitFor(60, TimeUnit.SECONDS)).as(output("third.out")).isTrue();

    assertThat(output("third.out")).contains("resumed 1").contains("succeeded");
    List<String> executed = Files.readAllLines(dir.resolve("executions.log"));
    assertThat(Collections.frequency(executed, "prepare")).isEqualTo(1);
    assertThat(Collections.frequency(executed, "agent0")).isEqualTo(1);
    assertThat(Collections.frequency(executed, "agent1")).isEqualTo(1);
    assertThat(Collections.frequency(executed, "agent2")).isEqualTo(2);
    assertThat(executed).contains("commit attempt 1", "commit attempt 2");
    assertThat(Collections.frequency(executed, "finish")).isEqualTo(1);
    assertThat(effects()).isEqualTo(1);
    assertThat(steps("succeeded"))
        .containsExactlyInAnyOrder(
            "prepare", "agents[0]", "agents[1]", "agents[2]", "agents", "commit", "finish");
  }

  @Test
  void resumeUnfinished_afterCrashRightAfterStart_runsTheWholeRun() throws Exception {
    Process first = child("start-and-halt", "first.out");
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).isEqualTo(137);
    assertThat(output("first.out")).contains("run swarm-");

    Process second = child("resume", "second.out");
    assertThat(second.waitFor(60, TimeUnit.SECONDS)).as(output("second.out")).isTrue();

    assertThat(output("second.out")).contains("resumed 1").contains("succeeded");
    assertThat(effects()).isEqualTo(1);
    assertThat(Collections.frequency(Files.readAllLines(dir.resolve("executions.log")), "finish"))
        .isEqualTo(1);
  }

  private Process child(String mode, String out) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            CrashChild.class.getName(),
            mode,
            dir.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(out).toFile())
        .start();
  }

  private String output(String name) throws IOException {
    Path file = dir.resolve(name);
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private void waitFor(BooleanSupplier condition, Process child) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return;
      }
      if (!child.isAlive()) {
        throw new AssertionError("the child ended first: " + child.exitValue());
      }
      Thread.sleep(20);
    }
    throw new AssertionError("condition not met in 60 s");
  }

  private List<String> steps(String status) {
    Path db = dir.resolve("db").resolve("sophia.db");
    List<String> keys = new ArrayList<>();
    if (!Files.exists(db)) {
      return keys;
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT step_key FROM swarm_steps WHERE status = '" + status + "'")) {
      while (rs.next()) {
        keys.add(rs.getString(1));
      }
    } catch (java.sql.SQLException e) {
      return keys; // not migrated yet
    }
    return keys;
  }

  private int effects() {
    Path db = dir.resolve("effects.db");
    if (!Files.exists(db)) {
      return 0;
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM effects")) {
      return rs.getInt(1);
    } catch (java.sql.SQLException e) {
      return 0;
    }
  }
}
