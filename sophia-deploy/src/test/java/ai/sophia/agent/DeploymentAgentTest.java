package ai.sophia.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.deploy.DeployFixture;
import ai.sophia.deploy.DeployTool;
import ai.sophia.deploy.Deployment;
import ai.sophia.deploy.DeploymentStatus;
import ai.sophia.model.ToolCall;
import ai.sophia.tool.Risk;
import ai.sophia.tool.ToolContext;
import ai.sophia.tool.ToolOutput;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in deployment agent with the real deploy tool and a real deploy command. */
class DeploymentAgentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  DeployFixture deploy;
  AgentFixture f;

  @BeforeEach
  void open() throws Exception {
    Files.createDirectories(dir.resolve("deploy"));
    deploy =
        DeployFixture.open(
            dir.resolve("deploy"),
            "deploy:\n  targets:\n    site:\n      type: command\n      command: [sh, -c, \"echo"
                + " shipped {version} >> shipped.txt\"]\n      working_dir: \""
                + dir
                + "\"\n",
            Map.of());
    Files.createDirectories(dir.resolve("agents"));
    f =
        new AgentFixture(
            dir.resolve("agents"), "", Map.of(), DeployTool.create(deploy.deployments));
  }

  @AfterEach
  void close() {
    f.close();
    deploy.close();
  }

  private ToolContext context(String key) {
    return new ToolContext("run_1", "deployment", "deployment", "key_1", key, 0);
  }

  @Test
  void deployTool_sameIdempotencyKeyTwice_deploysOnce() throws Exception {
    DeployTool tool = DeployTool.create(deploy.deployments);
    var args = JSON.readTree("{\"target\":\"site\",\"version\":\"v7\"}");

    ToolOutput first = tool.invoke(args, context("step-1:deploy"));
    ToolOutput again = tool.invoke(args, context("step-1:deploy"));

    assertThat(first).isInstanceOf(ToolOutput.Success.class);
    assertThat(first.text()).contains("healthy");
    assertThat(again.text()).startsWith("This call already started deployment");
    assertThat(Files.readAllLines(dir.resolve("shipped.txt"))).containsExactly("shipped v7");
    assertThat(deploy.deployments.history("site", 10)).hasSize(1);
  }

  @Test
  void deployTool_keyOfADeploymentInterruptedByACrash_reportsItAndDoesNotRedeploy()
      throws Exception {
    Instant now = Instant.now();
    deploy.store.insert(
        new Deployment(
            "deploy-00c0ffee",
            "site",
            "command",
            "production",
            "standard",
            "v8",
            "",
            "agent",
            DeploymentStatus.running,
            "",
            "",
            "step-2:deploy",
            "",
            "999999999@1",
            0,
            0,
            0,
            now,
            now,
            Instant.EPOCH));
    deploy.reopen();

    ToolOutput out =
        DeployTool.create(deploy.deployments)
            .invoke(
                JSON.readTree("{\"target\":\"site\",\"version\":\"v8\"}"),
                context("step-2:deploy"));

    assertThat(out).isInstanceOf(ToolOutput.Failure.class);
    assertThat(out.text()).contains("deploy-00c0ffee", "interrupted", "not started again");
    assertThat(dir.resolve("shipped.txt")).doesNotExist();
  }

  @Test
  void deployTool_badArguments_failWithoutDeploying() throws Exception {
    ToolOutput out =
        DeployTool.create(deploy.deployments)
            .invoke(JSON.readTree("{\"target\":\"site\",\"force\":true}"), context("k"));

    assertThat(out).isInstanceOf(ToolOutput.Failure.class);
    assertThat(out.text()).contains("unknown argument 'force'");
    assertThat(deploy.deployments.history("", 10)).isEmpty();
  }

  @Test
  void deploymentAgent_deployAuthorized_deploysWithoutAsking() throws Exception {
    f.model
        .thenToolCalls(new ToolCall("c1", "deploy", "{\"target\":\"site\",\"version\":\"v9\"}"))
        .thenText("Deployed v9.");

    AgentResult result =
        f.runtime
            .agents()
            .get("deployment")
            .processRequest(AgentRequest.of("deploy v9").withAuthorize(Set.of(Risk.deploy)));

    assertThat(result.status()).isEqualTo(RunStatus.succeeded);
    assertThat(Files.readAllLines(dir.resolve("shipped.txt"))).containsExactly("shipped v9");
    assertThat(f.runtime.approvals().pending(10)).isEmpty();
  }

  @Test
  void deploymentAgent_notAuthorized_waitsForAPersonBeforeDeploying() throws Exception {
    f.model
        .thenToolCalls(new ToolCall("c1", "deploy", "{\"target\":\"site\",\"version\":\"v10\"}"))
        .thenText("Deployed.");

    AgentRun run = f.runtime.agents().get("deployment").start(AgentRequest.of("deploy v10"));
    for (int i = 0; i < 400 && run.status() != RunStatus.waiting_approval; i++) {
      Thread.sleep(25);
    }

    assertThat(run.status()).isEqualTo(RunStatus.waiting_approval);
    assertThat(dir.resolve("shipped.txt")).doesNotExist();
    Approval pending = f.runtime.approvals().pending(10).getFirst();
    assertThat(pending.risk()).isEqualTo(Risk.deploy);
    f.runtime.approvals().decide(pending.id(), true, "key_admin", "go");
    assertThat(run.join().status()).isEqualTo(RunStatus.succeeded);
    assertThat(Files.readAllLines(dir.resolve("shipped.txt"))).containsExactly("shipped v10");
  }

  @Test
  void unavailable_noTargetConfigured_saysWhy() throws Exception {
    Files.createDirectories(dir.resolve("none"));
    try (DeployFixture none = DeployFixture.open(dir.resolve("none"), "", Map.of())) {
      assertThat(DeployTool.create(none.deployments).unavailable())
          .hasValue("no deployment target is configured (deploy.targets)");
    }
    assertThat(DeployTool.create(deploy.deployments).unavailable()).isEmpty();
  }
}
