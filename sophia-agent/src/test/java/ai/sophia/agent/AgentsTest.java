package ai.sophia.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.ConfigException;
import ai.sophia.health.HealthStatus;
import ai.sophia.model.Message;
import ai.sophia.model.ModelRequest;
import ai.sophia.tool.ToolContext;
import ai.sophia.tool.ToolOutput;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offline mode, memory, configuration and health of agents. */
class AgentsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  private AgentFixture f;

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
    AgentFixture.searchResults();
  }

  @Test
  void research_noModel_answersOfflineWithCitedSources() {
    f = new AgentFixture(dir, "", Map.of());
    f.model.available(false);
    AgentFixture.searchResults(AgentFixture.url("/docs/install.html"));
    AgentResult r =
        f.runtime
            .agents()
            .get("research")
            .processRequest(AgentRequest.of("How do I install Heliograph?"));
    assertThat(r.status()).isEqualTo(RunStatus.succeeded);
    assertThat(r.mode()).isEqualTo("offline");
    assertThat(r.note()).contains("offline");
    assertThat(r.answer()).contains("[1]").contains(AgentFixture.url("/docs/install.html"));
    assertThat(f.model.requests()).isEmpty();
  }

  @Test
  void research_modelFailsMidRun_saysSoAndAnswersOffline() {
    f = new AgentFixture(dir, "", Map.of());
    f.model.thenUnavailable();
    AgentFixture.searchResults(AgentFixture.url("/docs/install.html"));
    AgentResult r =
        f.runtime
            .agents()
            .get("research")
            .processRequest(AgentRequest.of("How do I install Heliograph?"));
    assertThat(r.mode()).isEqualTo("offline");
    assertThat(r.note()).contains("became unavailable");
    assertThat(r.answer()).contains("[1]");
  }

  @Test
  void general_noModel_routesTheQueryToTheAgentThatFits() {
    f = new AgentFixture(dir, "", Map.of());
    f.model.available(false);
    AgentRun run =
        f.runtime.agents().get("general").start(AgentRequest.of("Summarize what we know about X."));
    AgentResult r = run.join();
    assertThat(r.status()).isEqualTo(RunStatus.succeeded);
    assertThat(r.mode()).isEqualTo("offline");
    assertThat(r.answer()).contains("1. analysis: Summarize what we know about X.");
    assertThat(run.transcript())
        .filteredOn(Step.ToolUse.class::isInstance)
        .extracting(s -> ((Step.ToolUse) s).tool() + ":" + ((Step.ToolUse) s).outcome())
        .containsExactly("ask_agent:ok");
  }

  @Test
  void coordinator_noModel_plansRoutesAndAggregates() {
    f = new AgentFixture(dir, "", Map.of());
    f.model.available(false);
    AgentFixture.searchResults(AgentFixture.url("/docs/install.html"));
    AgentRun run =
        f.runtime
            .agents()
            .get("coordinator")
            .start(
                AgentRequest.of(
                    "Research how to install Heliograph. Then summarize what we know about"
                        + " Heliograph."));
    AgentResult r = run.join();
    assertThat(r.status()).isEqualTo(RunStatus.succeeded);
    assertThat(r.mode()).isEqualTo("offline");
    assertThat(r.answer())
        .contains("1. research: Research how to install Heliograph.")
        .contains("2. analysis: summarize what we know about Heliograph.")
        .contains("[1]");
    assertThat(run.transcript())
        .filteredOn(Step.ToolUse.class::isInstance)
        .extracting(s -> ((Step.ToolUse) s).tool() + ":" + ((Step.ToolUse) s).outcome())
        .containsExactly("ask_agent:ok", "ask_agent:ok");
  }

  @Test
  void commit_toolNotInstalled_saysSoAndHealthIsDegraded() throws Exception {
    f = new AgentFixture(dir, "", Map.of());
    AgentResult r = f.runtime.agents().get("commit").processRequest(AgentRequest.of("commit x"));
    assertThat(r.answer()).contains("cannot act yet").contains("commit tool is not installed");
    assertThat(f.model.requests()).isEmpty();
    HealthStatus commit = f.runtime.agents().get("commit").healthCheck().check();
    assertThat(commit.state()).isEqualTo(HealthStatus.State.degraded);
    assertThat(commit.detail()).contains("commit is not installed");
    assertThat(f.runtime.agents().get("research").healthCheck().check().state())
        .isEqualTo(HealthStatus.State.up);
    f.model.available(false);
    assertThat(f.runtime.agents().get("research").healthCheck().check().detail())
        .contains("offline");
    assertThat(f.runtime.healthChecks())
        .extracting(h -> h.name())
        .containsExactly(
            "agent.research",
            "agent.analysis",
            "agent.commit",
            "agent.deployment",
            "agent.coordinator",
            "agent.general");
  }

  @Test
  void run_sameSession_recallsNewestHistoryWithinTokenBudget() {
    f = new AgentFixture(dir, "", Map.of("SOPHIA_AGENTS_MEMORY_TOKEN_BUDGET", "300"));
    String q1 = "a".repeat(399) + "1";
    String a1 = "b".repeat(399) + "1";
    String q2 = "c".repeat(399) + "2";
    String a2 = "d".repeat(399) + "2";
    f.model.thenText(a1).thenText(a2).thenText("third");
    Agent analysis = f.runtime.agents().get("analysis");
    AgentResult first = analysis.processRequest(AgentRequest.of(q1));
    analysis.processRequest(AgentRequest.of(q2).withSession(first.sessionId()));
    analysis.processRequest(AgentRequest.of("third question").withSession(first.sessionId()));

    ModelRequest third = f.model.requests().get(2);
    List<String> texts =
        third.messages().stream()
            .map(
                m ->
                    switch (m) {
                      case Message.User u -> u.text();
                      case Message.Assistant a -> a.text();
                      default -> "";
                    })
            .filter(t -> !t.isEmpty())
            .toList();
    assertThat(texts).containsExactly(a1, q2, a2, "third question");
  }

  @Test
  void memorySearch_otherAgentsScope_findsNothingOfIt() {
    f =
        new AgentFixture(
            dir,
            """
            agents:
              definitions:
                auditor:
                  type: analysis
            """,
            Map.of());
    f.model.thenText("The codename of project Zephyr is BLUEBIRD.");
    f.runtime
        .agents()
        .get("analysis")
        .processRequest(AgentRequest.of("What is the codename of project Zephyr?"));
    var tool = f.runtime.tools().find("memory_search").orElseThrow();
    var args = JSON.createObjectNode().put("query", "project Zephyr codename");
    ToolOutput own = tool.invoke(args, context("analysis"));
    ToolOutput other = tool.invoke(args, context("auditor"));
    assertThat(own.text()).contains("BLUEBIRD").contains("memory://analysis/");
    assertThat(other.text()).doesNotContain("BLUEBIRD");
  }

  @Test
  void tools_badArgumentsOrTooDeep_returnFailure() {
    f = new AgentFixture(dir, "", Map.of());
    var research = f.runtime.tools().find("research").orElseThrow();
    assertThat(research.invoke(JSON.createObjectNode(), context("research")))
        .isInstanceOfSatisfying(
            ToolOutput.Failure.class, o -> assertThat(o.text()).contains("'query' is required"));
    assertThat(
            research.invoke(
                JSON.createObjectNode().put("query", "x").put("sources_limit", 99),
                context("research")))
        .isInstanceOf(ToolOutput.Failure.class);
    var ask = f.runtime.tools().find("ask_agent").orElseThrow();
    var args = JSON.createObjectNode().put("agent", "research").put("question", "why?");
    assertThat(ask.invoke(args, new ToolContext("run_x", "coordinator", "coordinator", "", "k", 2)))
        .isInstanceOfSatisfying(
            ToolOutput.Failure.class, o -> assertThat(o.text()).contains("limited to 2 levels"));
  }

  @Test
  void config_agentWithBuiltInType_inheritsItsDefaults() {
    f =
        new AgentFixture(
            dir,
            """
            agents:
              definitions:
                scout:
                  type: research
                  level: 4
                  instructions: Be brief.
            """,
            Map.of());
    AgentDefinition scout = f.runtime.agents().get("scout").definition();
    assertThat(scout.type()).isEqualTo("research");
    assertThat(scout.level()).isEqualTo(4);
    assertThat(scout.tools()).containsExactly("research", "memory_search");
    assertThat(scout.capabilities()).contains("web_research");
    assertThat(scout.memoryScope()).isEqualTo("scout");
    assertThat(scout.instructions()).isEqualTo("Be brief.");
    assertThat(f.runtime.agents().list()).hasSize(AgentDefinitions.BUILT_IN.size() + 1);
  }

  @Test
  void config_badDefinitions_failNamingEachKey() {
    assertThatThrownBy(
            () ->
                new AgentFixture(
                    dir,
                    """
                    agents:
                      definitions:
                        x:
                          type: research
                          tools: [research, teleport]
                        y:
                          type: wizard
                        z:
                          description: no instructions
                    """,
                    Map.of()))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(p -> assertThat(p).startsWith("agents.definitions.x.tools"))
                    .anySatisfy(p -> assertThat(p).startsWith("agents.definitions.y.type"))
                    .anySatisfy(
                        p -> assertThat(p).startsWith("agents.definitions.z.instructions")));
  }

  private static ToolContext context(String scope) {
    return new ToolContext("run_test", scope, scope, "", "run_test/1", 0);
  }
}
