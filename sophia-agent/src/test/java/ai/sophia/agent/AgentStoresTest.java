package ai.sophia.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.agent.AgentRunStore.StoredRun;
import ai.sophia.agent.SessionStore.Turn;
import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import ai.sophia.tool.Risk;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The contracts of the agents' stores (sessions, runs, approvals), on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class AgentStoresTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

  private static StoredRun run(String id, RunStatus status, String output, Instant at) {
    return new StoredRun(id, "writer", "", "key_x", status, "offline", "in", output, "[]", at, at);
  }

  @Test
  void sessions_appendedTurns_recentNewestFirstAndLimited() {
    try (Database db = backend.open(dir)) {
      SessionStore store = new SqlSessionStore(db, Clock.systemUTC());
      var session = store.create("writer", "key_x");
      store.append(
          session.id(), List.of(new Turn("user", "one", 1), new Turn("assistant", "two", 2)));
      store.append(session.id(), List.of(new Turn("user", "three", 3)));

      assertThat(store.find(session.id())).contains(session);
      assertThat(store.find("ses_missing")).isEmpty();
      assertThat(store.recent(session.id(), 2))
          .extracting(Turn::content)
          .containsExactly("three", "two");
    }
  }

  @Test
  void runs_savedTwice_replacedInPlace_recentNewestFirstWithTiesInSaveOrder() {
    try (Database db = backend.open(dir)) {
      AgentRunStore store = new SqlAgentRunStore(db);
      store.save(run("run_a", RunStatus.running, "", T0));
      store.save(run("run_b", RunStatus.running, "", T0));
      store.save(run("run_c", RunStatus.running, "", T0.minusSeconds(1)));
      store.save(run("run_a", RunStatus.succeeded, "done", T0));

      assertThat(store.find("run_a").orElseThrow().status()).isEqualTo(RunStatus.succeeded);
      assertThat(store.find("run_a").orElseThrow().output()).isEqualTo("done");
      assertThat(store.find("run_c").orElseThrow().sessionId()).isEmpty();
      assertThat(store.recent(10))
          .extracting(StoredRun::id)
          .containsExactly("run_b", "run_a", "run_c");
    }
  }

  /**
   * Writes of many runs at once share transactions (group commit): each caller's write is durable
   * and in order when its call returns, and nothing is lost or mixed between sessions.
   */
  @Test
  void manyRunsAtOnce_everySessionTurnAndRunStored() throws Exception {
    int runs = 300;
    try (Database db = backend.open(dir);
        var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      SessionStore sessions = new SqlSessionStore(db, Clock.systemUTC());
      AgentRunStore store = new SqlAgentRunStore(db);
      List<java.util.concurrent.Future<String>> started = new java.util.ArrayList<>();
      for (int i = 0; i < runs; i++) {
        String n = Integer.toString(i);
        started.add(
            threads.submit(
                () -> {
                  var session = sessions.create("writer", "key_" + n);
                  store.save(run("run_" + n, RunStatus.running, "", T0));
                  sessions.append(
                      session.id(),
                      List.of(new Turn("user", "q" + n, 1), new Turn("assistant", "a" + n, 1)));
                  store.save(run("run_" + n, RunStatus.succeeded, "answer " + n, T0));
                  return session.id();
                }));
      }
      for (int i = 0; i < runs; i++) {
        String session = started.get(i).get();
        assertThat(sessions.find(session).orElseThrow().apiKeyId()).isEqualTo("key_" + i);
        assertThat(sessions.recent(session, 10))
            .extracting(Turn::content)
            .containsExactly("a" + i, "q" + i);
        assertThat(store.find("run_" + i).orElseThrow().output()).isEqualTo("answer " + i);
      }
      assertThat(store.recent(1000)).hasSize(runs);
    }
  }

  @Test
  void approvals_settledOnce_pendingInRequestOrder() {
    try (Database db = backend.open(dir)) {
      ApprovalStore store = new SqlApprovalStore(db);
      for (String id : List.of("apr_2", "apr_1", "apr_3")) {
        store.insert(
            new Approval(
                id,
                "run_1",
                "writer",
                "deploy",
                Risk.deploy,
                "{}",
                Approval.PENDING,
                id.equals("apr_3") ? T0.plusSeconds(1) : T0,
                null,
                null));
      }

      assertThat(store.settle("apr_1", Approval.GRANTED, "key_admin", "ok", T0)).isTrue();
      assertThat(store.settle("apr_1", Approval.DENIED, "key_admin", "late", T0)).isFalse();

      assertThat(store.pending(10)).extracting(Approval::id).containsExactly("apr_2", "apr_3");
      assertThat(store.find("apr_1").orElseThrow().decidedBy()).isEqualTo("key_admin");
      assertThat(store.forRun("run_1", 10)).hasSize(3);
    }
  }

  @Test
  void approvals_decidedOnAnotherNode_reachTheRunWaitingHere() throws Exception {
    try (Database db = backend.open(dir);
        Approvals here = new Approvals(new SqlApprovalStore(db), Clock.systemUTC());
        Approvals elsewhere = new Approvals(new SqlApprovalStore(db), Clock.systemUTC())) {
      Approval asked = here.request("run_w", "writer", "commit", Risk.write, "{}");
      var waiting = here.decision(asked.id());

      elsewhere.decide(asked.id(), false, "key_admin", "not today");
      Approvals.Decision decided = waiting.get(5, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(decided).isEqualTo(new Approvals.Decision(false, "key_admin", "not today"));
    }
  }
}
