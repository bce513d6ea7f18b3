package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and error lines common to every command. */
class MainTest {
  @TempDir Path dir;

  @Test
  void main_unknownFlag_exit2WithOneClearLine() {
    CliRun run = CliRun.of("keys", "list", "--bogus");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo("sophia: Unknown option: '--bogus' (see 'sophia keys list --help')\n");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void main_noCommand_usageOnStderrExit2() {
    CliRun run = CliRun.of();

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Usage: sophia").contains("research").contains("doctor");
  }

  @Test
  void main_version_printsIt() {
    CliRun run = CliRun.of("--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).matches("sophia \\d+\\.\\d+\\.\\d+.*\\n");
  }

  @Test
  void main_invalidConfigFile_listsEveryProblemExit1() throws Exception {
    Path config = dir.resolve("sophia.yaml");
    Files.writeString(config, "colour: blue\nserver:\n  prot: 1\n");

    CliRun run =
        CliRun.of("--config", config.toString(), "--data-dir", dir.toString(), "keys", "list");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "sophia: invalid configuration:\n  - unknown key 'colour'\n  - unknown key 'server.prot'\n");
  }

  @Test
  void main_badEnvironmentValue_namesTheKey() {
    CliRun run =
        CliRun.of(
            java.util.Map.of("SOPHIA_SECURITY_RATE_LIMIT_BURST", "0"),
            "--data-dir",
            dir.toString(),
            "keys",
            "list");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("security.rate_limit.burst is 0");
  }

  @Test
  void research_invalidFlags_exit2NamingTheFlagBeforeOpeningStorage() {
    Path data = dir.resolve("never-created");
    CliRun sources =
        CliRun.of("--data-dir", data.toString(), "research", "rust", "--sources", "21");
    CliRun engine =
        CliRun.of("--data-dir", data.toString(), "research", "rust", "--engine", "google");
    CliRun empty = CliRun.of("--data-dir", data.toString(), "research", "   ");
    CliRun notNumber =
        CliRun.of("--data-dir", data.toString(), "research", "rust", "--sources", "many");

    assertThat(sources.exitCode()).isEqualTo(2);
    assertThat(sources.err()).startsWith("sophia: --sources: ").contains("between 1 and 20");
    assertThat(engine.exitCode()).isEqualTo(2);
    assertThat(engine.err()).startsWith("sophia: --engine: ").contains("google");
    assertThat(empty.exitCode()).isEqualTo(2);
    assertThat(empty.err()).startsWith("sophia: QUESTION: ");
    assertThat(notNumber.exitCode()).isEqualTo(2);
    assertThat(notNumber.err()).contains("'many' is not an int");
    assertThat(data).doesNotExist();
  }

  @Test
  void memorySearch_limitOutOfRange_exit2() {
    CliRun run =
        CliRun.of("--data-dir", dir.toString(), "memory", "search", "rust", "--limit", "51");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("sophia: --limit is 51 but must be between 1 and 50\n");
  }
}
