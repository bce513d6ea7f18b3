package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.model.ScriptedOpenAiServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sophia swarm} in process: a run with live progress, then status, logs and cancel. */
class SwarmCommandTest {
  @TempDir Path dir;
  private final ScriptedOpenAiServer model = ScriptedOpenAiServer.start();

  @AfterEach
  void stop() {
    model.close();
  }

  private CliRun sophia(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--data-dir";
    all[1] = dir.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return CliRun.of(env, all);
  }

  @Test
  void swarm_withModel_showsThePlanEachAgentAndTheQualityReport() {
    model
        .reply(
            "{\"subtasks\":[{\"task\":\"Digest what we know about Heliograph\","
                + "\"agent\":\"analysis\"}]}")
        .reply("Heliograph relays metrics over UDP [1].\n\nSources:\n[1] http://docs/");
    Map<String, String> env =
        Map.of(
            "SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL",
            model.baseUrl(),
            "SOPHIA_MODELS_DEFAULT_CHAIN",
            "openai_compatible:test-model");

    CliRun run = sophia(env, "swarm", "What do we know about Heliograph?", "--agents", "analysis");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .containsPattern("swarm swarm-\\S+ \\(research\\)")
        .contains("plan (model): planned by the model")
        .contains("t1 → analysis: Digest what we know about Heliograph")
        .containsPattern("\\[t1 analysis] started, run \\S+ \\(model\\)")
        .containsPattern("\\[t1 analysis] succeeded in \\d+ ms")
        .contains("done: succeeded");
    assertThat(run.out())
        .contains("Heliograph relays metrics over UDP [1].")
        .containsPattern("swarm swarm-\\S+ succeeded \\(research, complete\\)")
        .containsPattern("parallel_execution\\[0]\\s+succeeded")
        .contains("quality 1.000, completeness 1.000, overall 1.000: meets the threshold")
        .containsPattern("took \\d+ ms: \\d+ ms in agents, \\d+ ms coordinating");
    String id = id(run.err());

    CliRun status = sophia(Map.of(), "swarm", "status", id);
    CliRun logs = sophia(Map.of(), "swarm", "logs", id);
    CliRun cancel = sophia(Map.of(), "swarm", "cancel", id);

    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out())
        .contains("swarm " + id + " succeeded")
        .contains("agent analysis: succeeded");
    assertThat(logs.out())
        .startsWith("1 ")
        .contains(" plan ", " agent_started ")
        .contains("run_finished");
    assertThat(cancel.exitCode()).isNotZero();
    assertThat(cancel.err()).contains("finished");
  }

  @Test
  void swarm_badInput_failsNamingTheOption() {
    CliRun pattern = sophia(Map.of(), "swarm", "x y z", "--pattern", "chaos");
    CliRun risk = sophia(Map.of(), "swarm", "x y z", "--authorize", "root");
    CliRun missing = sophia(Map.of(), "swarm", "status", "swarm-nope");

    assertThat(pattern.exitCode()).isNotZero();
    assertThat(pattern.err()).contains("--pattern is research, development or monitoring");
    assertThat(risk.err()).contains("--authorize lists the risks");
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.err()).contains("no swarm with id 'swarm-nope'");
  }

  private static String id(String err) {
    Matcher m = Pattern.compile("swarm (swarm-\\S+) ").matcher(err);
    assertThat(m.find()).isTrue();
    return m.group(1);
  }
}
