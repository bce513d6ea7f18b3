package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.model.ScriptedOpenAiServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sophia agents} and {@code sophia ask} in process, with the real model gateway talking to a
 * loopback server in the OpenAI chat-completions wire format.
 */
class AgentCommandsTest {
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

  private Map<String, String> withModel() {
    return Map.of(
        "SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL",
        model.baseUrl(),
        "SOPHIA_MODELS_DEFAULT_CHAIN",
        "openai_compatible:test-model");
  }

  @Test
  void agents_noModel_listsBuiltInsOffline() {
    CliRun run = sophia(Map.of(), "agents");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().lines().findFirst().orElseThrow())
        .matches("NAME\\s+TYPE\\s+LEVEL\\s+TOOLS\\s+HEALTH");
    assertThat(run.out())
        .containsPattern(
            "research\\s+research\\s+3\\s+research,memory_search\\s+up: ready; offline mode")
        .containsPattern(
            "commit\\s+commit\\s+2\\s+commit\\s+degraded: tool commit: no repository is configured")
        .contains("offline mode (rule-based): no model available");
  }

  @Test
  void ask_modelAnswers_answerOnStdoutStepsOnStderr() {
    model.reply("Vacuum reclaims storage held by dead tuples.");

    CliRun run = sophia(withModel(), "ask", "--agent", "analysis", "What does VACUUM do?");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("Vacuum reclaims storage held by dead tuples.\n");
    assertThat(run.err())
        .contains("agent analysis (model)")
        .contains("model openai_compatible:test-model: answered")
        .contains("done: succeeded, 1 model call(s)")
        .containsPattern("session \\S+ \\(continue it with --session\\)");
    assertThat(model.bodies().get(0).toString()).contains("What does VACUUM do?");
  }

  @Test
  void ask_session_continuesTheConversation() {
    model.reply("Noted: the project is Heliograph.").reply("It is called Heliograph.");
    CliRun first =
        sophia(withModel(), "ask", "--agent", "analysis", "Remember: the project is Heliograph.");
    String session =
        first
            .err()
            .lines()
            .filter(l -> l.startsWith("session "))
            .findFirst()
            .orElseThrow()
            .split(" ")[1];

    CliRun second =
        sophia(
            withModel(), "ask", "--agent", "analysis", "--session", session, "What is it called?");

    assertThat(second.exitCode()).as(second.err()).isZero();
    String asked = model.bodies().get(1).toString();
    assertThat(asked)
        .contains("Remember: the project is Heliograph.")
        .contains("Noted: the project");
  }

  @Test
  void ask_badInput_clearErrors() {
    CliRun risk = sophia(Map.of(), "ask", "--agent", "analysis", "--authorize", "root", "hi");
    CliRun unknown = sophia(Map.of(), "ask", "--agent", "nobody", "hi");
    CliRun missing = sophia(Map.of(), "ask", "hi");

    assertThat(risk.exitCode()).isEqualTo(2);
    assertThat(risk.err()).startsWith("sophia: --authorize lists the risks to allow");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("nobody");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("--agent");
    assertThat(model.requests()).isEmpty();
  }
}
