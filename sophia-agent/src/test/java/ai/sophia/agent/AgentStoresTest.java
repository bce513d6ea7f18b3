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
import java.util.Map;
import java.util.Optional;
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
    return new StoredRun(
        id,
        "writer",
        "",
        "key_x",
        status,
        "offline",
        "in",
        output,
        "[]",
        at,
        at,
        "node/1/a",
        at,
        "{}",
        "");
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

  private static StoredRun owned(String id, RunStatus status, String owner, Instant lease) {
    return new StoredRun(
        id,
        "writer",
        "",
        "key_x",
        status,
        "model",
        "in",
        "",
        "[]",
        T0,
        T0,
        owner,
        lease,
        "{}",
        "4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void leases_claimedOnceWhenExpiredOrGone_renewedByTheOwner_savesOfALoserFenced() {
    try (Database db = backend.open(dir)) {
      AgentRunStore store = new SqlAgentRunStore(db);
      Instant now = T0.plusSeconds(60);
      store.save(owned("run_live", RunStatus.running, "a/1/x", now.plusSeconds(30)));
      store.save(owned("run_late", RunStatus.running, "a/1/x", now.minusSeconds(1)));
      store.save(owned("run_dead", RunStatus.waiting_approval, "c/9/z", now.plusSeconds(30)));
      store.save(owned("run_done", RunStatus.succeeded, "c/9/z", now.minusSeconds(1)));

      assertThat(store.orphaned("b/2/y", now, "c/9/z"::equals, 10))
          .extracting(StoredRun::id)
          .containsExactlyInAnyOrder("run_late", "run_dead");
      assertThat(store.claim("run_live", "b/2/y", now, now.plusSeconds(30), o -> false)).isFalse();
      assertThat(store.claim("run_late", "b/2/y", now, now.plusSeconds(30), o -> false)).isTrue();
      assertThat(store.claim("run_late", "d/3/w", now, now.plusSeconds(30), o -> false))
          .as("a second claimer of the same run")
          .isFalse();
      assertThat(store.claim("run_done", "b/2/y", now, now.plusSeconds(30), o -> true)).isFalse();

      // The loser's save is fenced off; the new owner's lands and keeps the lease it claimed.
      store.save(owned("run_late", RunStatus.failed, "a/1/x", now));
      assertThat(store.find("run_late").orElseThrow().status()).isEqualTo(RunStatus.running);
      assertThat(store.find("run_late").orElseThrow().owner()).isEqualTo("b/2/y");
      store.save(owned("run_late", RunStatus.succeeded, "b/2/y", now));
      assertThat(store.find("run_late").orElseThrow().status()).isEqualTo(RunStatus.succeeded);
      assertThat(store.find("run_late").orElseThrow().leaseUntil()).isEqualTo(now.plusSeconds(30));
      assertThat(store.find("run_late").orElseThrow().traceId())
          .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");

      assertThat(store.renew("a/1/x", now.plusSeconds(90))).containsExactly("run_live");
      assertThat(store.find("run_live").orElseThrow().leaseUntil()).isEqualTo(now.plusSeconds(90));
      store.release("a/1/x");
      assertThat(store.orphaned("b/2/y", now, o -> false, 10))
          .extracting(StoredRun::id)
          .containsExactly("run_live");
    }
  }

  @Test
  void cancelRequests_reachTheOwnerOfAnUnfinishedRunOnly() {
    try (Database db = backend.open(dir)) {
      AgentRunStore store = new SqlAgentRunStore(db);
      store.save(owned("run_a", RunStatus.running, "a/1/x", T0));
      store.save(owned("run_b", RunStatus.succeeded, "a/1/x", T0));

      assertThat(store.requestCancel("run_a", "key_admin")).isTrue();
      assertThat(store.requestCancel("run_b", "key_admin")).isFalse();
      assertThat(store.requestCancel("run_missing", "key_admin")).isFalse();
      assertThat(store.cancelRequests("a/1/x")).containsExactly(Map.entry("run_a", "key_admin"));
      assertThat(store.cancelRequests("b/2/y")).isEmpty();
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

  private static AgentRunStore.StoredEvent event(String run, long seq, String type) {
    return new AgentRunStore.StoredEvent(run, seq, type, "{\"seq\":" + seq + "}", T0);
  }

  @Test
  void events_appendedByTheOwner_readBackInOrder_othersFenced_purgedAfterTheRunEnds()
      throws Exception {
    try (Database db = backend.open(dir)) {
      AgentRunStore store = new SqlAgentRunStore(db);
      List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
      Optional<AutoCloseable> listening = store.listenEvents(told::add);
      store.save(owned("run_a", RunStatus.running, "a/1/x", T0.plusSeconds(30)));
      store.save(owned("run_b", RunStatus.running, "b/2/y", T0.plusSeconds(30)));

      assertThat(
              store.appendEvents(
                  "a/1/x",
                  List.of(
                      event("run_a", 1, "run_started"),
                      event("run_a", 2, "token"),
                      event("run_b", 1, "run_started"))))
          .containsExactly("run_b");
      // Written twice (a retry after a lost connection): stored once.
      store.appendEvents("a/1/x", List.of(event("run_a", 2, "token"), event("run_a", 3, "x")));

      assertThat(store.events("run_a", 0, 10))
          .extracting(AgentRunStore.StoredEvent::seq, AgentRunStore.StoredEvent::type)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(1L, "run_started"),
              org.assertj.core.groups.Tuple.tuple(2L, "token"),
              org.assertj.core.groups.Tuple.tuple(3L, "x"));
      assertThat(store.events("run_a", 1, 1))
          .extracting(e -> e.dataJson())
          .containsExactly("{\"seq\":2}");
      assertThat(store.events("run_b", 0, 10)).isEmpty();
      assertThat(store.lastSeq("run_a")).isEqualTo(3);
      assertThat(store.lastSeq("run_b")).isZero();

      store.save(owned("run_a", RunStatus.succeeded, "a/1/x", T0.plusSeconds(30)));
      assertThat(store.purgeEventsFinishedBefore(T0)).isZero(); // finished at T0, not before
      assertThat(store.purgeEventsFinishedBefore(T0.plusSeconds(1))).isEqualTo(1);
      assertThat(store.lastSeq("run_a")).isZero();

      if (backend == Backend.postgres) {
        assertThat(listening).isPresent();
        long until = System.nanoTime() + 5_000_000_000L;
        while (!told.contains("run_a") && System.nanoTime() < until) {
          Thread.sleep(20);
        }
        assertThat(told).contains("run_a").doesNotContain("run_b");
      } else {
        assertThat(listening).isEmpty();
      }
      if (listening.isPresent()) {
        listening.get().close();
      }
    }
  }
}
