package ai.sophia.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.model.Message;
import ai.sophia.model.ModelReply;
import ai.sophia.model.ModelRequest;
import ai.sophia.model.ScriptedModelGateway;
import ai.sophia.model.ToolCall;
import ai.sophia.tool.CountingTool;
import ai.sophia.tool.Risk;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent runs outside swarms move between runtimes on one database, as between two nodes or across a
 * restart: a runtime that stops hands its runs over, another takes them and goes on from the
 * transcript — a tool call that ran is not run again, an approval waited for is the same approval,
 * a cancel asked on one runtime stops the run on the other. (A process killed outright is {@code
 * ServeCrashTest}'s, in sophia-cli.)
 */
class AgentRunTakeoverTest {
  private static final String FAST_LEASES = "swarm:\n  lease_ms: 1000\n";

  @TempDir Path dir;
  private AgentFixture f;
  private AgentRuntime other;
  private final CountingTool commit = new CountingTool("commit", Risk.write);
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void open() {
    f = new AgentFixture(dir, FAST_LEASES, Map.of(), commit);
    f.runtime.keepRuns();
  }

  @AfterEach
  void close() {
    release.countDown();
    if (other != null) {
      other.close();
    }
    if (f != null) {
      f.close();
    }
  }

  private AgentRuntime takeOver(ScriptedModelGateway model) {
    other = f.another(model, commit);
    other.keepRuns();
    return other;
  }

  @Test
  void stoppedRuntime_handsTheRunOver_theOtherGoesOnAfterTheToolCall_toolRunsOnce()
      throws Exception {
    CountDownLatch secondCall = new CountDownLatch(1);
    AgentRun run =
        commitThen(
            request -> {
              secondCall.countDown();
              await(release); // the first node never answers: it stops first
              return ScriptedModelGateway.reply("too late", List.of());
            });
    assertThat(secondCall.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(commit.invocations()).isEqualTo(1);

    f.runtime.close(); // a rolling restart: this node stops, its run is handed over
    assertThatThrownBy(run::join).hasCauseInstanceOf(RunHandedOverException.class);
    assertThat(run.events().getLast().type()).isEqualTo("run_handed_over");

    ScriptedModelGateway model = ScriptedModelGateway.create();
    model.then(
        request -> {
          assertThat(lastMessage(request)).contains("tool_result tool=\"commit\" status=\"ok\"");
          return ScriptedModelGateway.reply("Committed notes.md.", List.of());
        });
    AgentRuntime b = takeOver(model);
    AgentRunStore.StoredRun done = awaitStored(b, run.id(), r -> r.status().finished());

    assertThat(done.status()).isEqualTo(RunStatus.succeeded);
    assertThat(done.output()).isEqualTo("Committed notes.md.");
    assertThat(done.owner()).isEqualTo(b.owner());
    assertThat(commit.invocations()).isEqualTo(1);
    assertThat(commit.idempotencyKeys()).containsExactly(run.id() + "/c1");
    assertThat(model.requests()).hasSize(1);
    List<Step> transcript = RunRecorder.transcript(done);
    assertThat(transcript)
        .filteredOn(Step.ModelCall.class::isInstance)
        .extracting(s -> ((Step.ModelCall) s).step())
        .containsExactly(1, 2);
    assertThat(transcript).filteredOn(Step.Note.class::isInstance).hasSize(1);
    AgentRun resumed = b.run(run.id()).orElseThrow();
    assertThat(resumed.events().getFirst().type()).isEqualTo("run_resumed");
    assertThat(resumed.join().modelCalls()).isEqualTo(2);
  }

  @Test
  void runOfOneRuntime_followedFromAnother_everyEventOnceInOrder_resumableAfterAnySeq()
      throws Exception {
    AgentRun run =
        commitThen(
            request -> {
              await(release);
              return ScriptedModelGateway.reply("Committed notes.md.", List.of());
            });
    // A runtime that does not run it (it keeps no runs) reads the store, every 200 ms on SQLite.
    AgentRuntime b = f.another(ScriptedModelGateway.create(), commit);
    other = b;
    List<RunEvent> followed = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch ended = new CountDownLatch(1);
    try (AutoCloseable s =
        b.subscribe(
            run.id(),
            0,
            e -> {
              followed.add(e);
              if (e.last()) {
                ended.countDown();
              }
            },
            ended::countDown)) {
      Thread.sleep(300);
      release.countDown();
      assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
    }
    List<RunEvent> here = new java.util.ArrayList<>();
    f.runtime.subscribe(run.id(), 0, here::add, () -> {}).close();

    assertThat(here.getLast().event().type()).isEqualTo("run_finished");
    assertThat(here).extracting(RunEvent::seq).containsExactlyElementsOf(seqs(here.size()));
    assertThat(followed).extracting(RunEvent::seq).containsExactlyElementsOf(seqs(here.size()));
    // Read back from the store, each event is the one the run emitted.
    assertThat(followed).containsExactlyElementsOf(here);
    List<RunEvent> tail = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch tailEnded = new CountDownLatch(1);
    try (AutoCloseable s = b.subscribe(run.id(), 3, e -> tail.add(e), tailEnded::countDown)) {
      assertThat(tailEnded.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(tail).containsExactlyElementsOf(here.subList(3, here.size()));
  }

  /**
   * A commit run on the first runtime: the model asks for the commit, then answers by {@code next}.
   */
  private AgentRun commitThen(java.util.function.Function<ModelRequest, ModelReply> next) {
    f.model.thenToolCalls(new ToolCall("c1", "commit", "{\"file\":\"notes.md\"}")).then(next);
    return f.runtime
        .agents()
        .get("commit")
        .start(AgentRequest.of("commit notes.md").withAuthorize(Set.of(Risk.write)));
  }

  private static List<Long> seqs(int n) {
    return java.util.stream.LongStream.rangeClosed(1, n).boxed().toList();
  }

  @Test
  void runWaitingForApproval_takenOver_waitsForTheSameApproval_thenRunsOnce() throws Exception {
    f.model.thenToolCalls(new ToolCall("c1", "commit", "{}"));
    AgentRun run = f.runtime.agents().get("commit").start(AgentRequest.of("commit it"));
    awaitStatus(run, RunStatus.waiting_approval);
    String approval = f.runtime.approvals().pending(10).getFirst().id();

    f.runtime.close();
    assertThat(f.runtime.approvals().find(approval).status()).isEqualTo(Approval.PENDING);

    ScriptedModelGateway model = ScriptedModelGateway.create().thenText("Committed.");
    AgentRuntime b = takeOver(model);
    awaitStored(b, run.id(), r -> b.run(run.id()).isPresent());
    AgentRun resumed = b.run(run.id()).orElseThrow();
    awaitStatus(resumed, RunStatus.waiting_approval);
    assertThat(b.approvals().forRun(run.id())).extracting(Approval::id).containsExactly(approval);
    assertThat(commit.invocations()).isZero();

    b.approvals().decide(approval, true, "key_admin", "fine");
    assertThat(resumed.join().status()).isEqualTo(RunStatus.succeeded);
    assertThat(commit.invocations()).isEqualTo(1);
    assertThat(model.requests()).hasSize(1);
  }

  @Test
  void cancelAskedOnAnotherRuntime_stopsTheRunWhereItRuns() throws Exception {
    CountDownLatch asked = new CountDownLatch(1);
    f.model.then(
        request -> {
          asked.countDown();
          await(release);
          return ScriptedModelGateway.reply("never", List.of());
        });
    AgentRun run = f.runtime.agents().get("commit").start(AgentRequest.of("think"));
    assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
    awaitStored(f.runtime, run.id(), r -> true); // its row is written before the model call

    AgentRuntime b = takeOver(ScriptedModelGateway.create());
    assertThat(b.run(run.id())).isEmpty(); // held by a live runtime: not taken
    assertThat(b.cancel(run.id(), "key_admin")).isTrue();

    AgentResult result = run.await(Duration.ofSeconds(10)).orElseThrow();
    assertThat(result.status()).isEqualTo(RunStatus.cancelled);
    assertThat(b.storedRun(run.id()).orElseThrow().status()).isEqualTo(RunStatus.cancelled);
    assertThat(b.cancel(run.id(), "key_admin")).isFalse();
  }

  @Test
  void runOfALiveRuntime_isNotTakenOver_whileItsLeaseIsRenewed() throws Exception {
    CountDownLatch asked = new CountDownLatch(1);
    f.model.then(
        request -> {
          asked.countDown();
          await(release);
          return ScriptedModelGateway.reply("Answered at last.", List.of());
        });
    AgentRun run = f.runtime.agents().get("commit").start(AgentRequest.of("think slowly"));
    assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
    AgentRuntime b = takeOver(ScriptedModelGateway.create());

    Thread.sleep(2_500); // two leases of 1 s
    assertThat(b.run(run.id())).isEmpty();
    release.countDown();
    assertThat(run.join().answer()).isEqualTo("Answered at last.");
    assertThat(b.storedRun(run.id()).orElseThrow().owner()).isEqualTo(f.runtime.owner());
  }

  private static String lastMessage(ModelRequest request) {
    Message last = request.messages().getLast();
    return last instanceof Message.ToolResult r ? r.text() : last.toString();
  }

  private static AgentRunStore.StoredRun awaitStored(
      AgentRuntime runtime, String id, Predicate<AgentRunStore.StoredRun> condition)
      throws InterruptedException {
    Instant until = Instant.now().plusSeconds(20);
    AgentRunStore.StoredRun last = null;
    while (Instant.now().isBefore(until)) {
      last = runtime.storedRun(id).orElse(null);
      if (last != null && condition.test(last)) {
        return last;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("run " + id + " never got there: " + last);
  }

  private static void awaitStatus(AgentRun run, RunStatus status) throws InterruptedException {
    for (int i = 0; i < 400 && run.status() != status; i++) {
      Thread.sleep(25);
    }
    assertThat(run.status()).isEqualTo(status);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
