package ai.sophia.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A handle on one run of an agent, returned at once by {@link Agent#start}: its id, status,
 * transcript, events and, once finished, its result.
 *
 * <p>Concurrency: only the run's own virtual thread appends steps and events and changes the
 * status; readers (the HTTP layer, tests) may call any method from any thread. Events and their
 * listeners are guarded by this object's lock, so a listener that subscribes late first receives
 * every earlier event, in order, and then the live ones, never one twice. {@link #cancel} only
 * raises a flag and completes {@code stop}; the run notices at its next boundary (before a model or
 * tool call, or while waiting for one or for an approval).
 */
public final class AgentRun {
  private static final Logger log = LoggerFactory.getLogger(AgentRun.class);

  private final String id;
  private final String agent;
  private final String traceId;
  private final AgentRequest request;
  private final Instant startedAt;
  private final long deadlineNanos;
  private final List<Step> transcript = new CopyOnWriteArrayList<>();
  private final List<RunEvent> events = new ArrayList<>();
  private final List<Consumer<RunEvent>> listeners = new ArrayList<>();
  private long seq;
  private volatile long firstSeq;
  private volatile Consumer<RunEvent> journal = e -> {};
  private final CompletableFuture<AgentResult> done = new CompletableFuture<>();
  private final CompletableFuture<Void> stop = new CompletableFuture<>();
  private volatile RunStatus status = RunStatus.running;
  private volatile String mode;
  private volatile String sessionId = "";
  private volatile AgentResult result;
  private volatile boolean cancelled;
  private volatile String handedOver;
  private final java.util.Map<String, Integer> callsByTool =
      new java.util.concurrent.ConcurrentHashMap<>();

  AgentRun(
      String id,
      String agent,
      AgentRequest request,
      String mode,
      Duration timeout,
      String traceId) {
    this(id, agent, request, mode, Instant.now(), timeout, List.of(), traceId);
  }

  /**
   * A run taken over from its stored row: started at {@code startedAt} (its time limit counts from
   * then), with the steps it had done; the calls each tool made count on from there.
   */
  AgentRun(
      String id,
      String agent,
      AgentRequest request,
      String mode,
      Instant startedAt,
      Duration timeout,
      List<Step> done,
      String traceId) {
    this.id = id;
    this.agent = agent;
    this.traceId = traceId;
    this.request = request;
    this.mode = mode;
    this.startedAt = startedAt;
    Duration left = timeout.minus(Duration.between(startedAt, Instant.now()));
    this.deadlineNanos = System.nanoTime() + left.toNanos();
    transcript.addAll(done);
    for (Step step : done) {
      if (step instanceof Step.ToolUse use && Step.ToolUse.INVOKED.contains(use.outcome())) {
        nextCall(use.tool());
      }
    }
  }

  public String id() {
    return id;
  }

  public String agent() {
    return agent;
  }

  /** The trace the run is part of (32 hex digits), or {@code ""} when it is not traced. */
  public String traceId() {
    return traceId;
  }

  public AgentRequest request() {
    return request;
  }

  public RunStatus status() {
    return status;
  }

  /** {@code model} or {@code offline}. */
  public String mode() {
    return mode;
  }

  public String sessionId() {
    return sessionId;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /** Every step so far, in order. */
  public List<Step> transcript() {
    return List.copyOf(transcript);
  }

  /** Every event so far on this node, in order. */
  public synchronized List<AgentEvent> events() {
    return events.stream().map(RunEvent::event).toList();
  }

  /**
   * The seq of the event before this node's first: 0 for a run that started here, the stored run's
   * last for one taken over (the events up to it are in the store).
   */
  public long firstSeq() {
    return firstSeq;
  }

  /**
   * Numbers this run's events after {@code before} and hands each to {@code sink} (the store's
   * writer) as it is emitted. Set before the run's first event.
   */
  void journal(long before, Consumer<RunEvent> sink) {
    synchronized (this) {
      firstSeq = before;
      seq = before;
      journal = sink;
    }
  }

  /** The result once the run has finished. */
  public Optional<AgentResult> result() {
    return Optional.ofNullable(result);
  }

  /** Waits for the run to finish. */
  public AgentResult join() {
    return done.join();
  }

  /** Waits up to {@code timeout} for the run to finish; empty when it has not. */
  public Optional<AgentResult> await(Duration timeout) {
    try {
      return Optional.of(done.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException("run " + id + " crashed", e.getCause());
    }
  }

  /**
   * Waits until the run finishes, or until it stops to wait for a person's approval, passing every
   * event to {@code onEvent} meanwhile (earlier ones first). Returns the result, or empty when the
   * run waits for an approval (the caller answers then and the run goes on). How the API and MCP
   * answer a synchronous question.
   *
   * @throws InterruptedException when the waiting thread is interrupted; the run is cancelled
   */
  public Optional<AgentResult> awaitResultOrApproval(Consumer<AgentEvent> onEvent)
      throws InterruptedException {
    CompletableFuture<Optional<AgentResult>> stopped = new CompletableFuture<>();
    AutoCloseable subscription =
        subscribe(
            event -> {
              onEvent.accept(event);
              switch (event) {
                case AgentEvent.RunFinished finished ->
                    stopped.complete(Optional.of(finished.result()));
                case AgentEvent.ApprovalRequired waiting -> stopped.complete(Optional.empty());
                case AgentEvent.RunHandedOver gone ->
                    stopped.completeExceptionally(new RunHandedOverException(gone));
                default -> {}
              }
            });
    try {
      return stopped.get();
    } catch (InterruptedException e) {
      cancel();
      throw e;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RunHandedOverException gone) {
        throw gone;
      }
      throw new IllegalStateException("run " + id + " could not be followed", e.getCause());
    } finally {
      try {
        subscription.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A future completed with the result when the run finishes. */
  public CompletableFuture<AgentResult> completion() {
    return done.copy();
  }

  /**
   * Asks the run to stop. It stops at its next boundary and finishes {@code cancelled}; a run that
   * has already finished is left as it is.
   */
  public void cancel() {
    cancelled = true;
    stop.complete(null);
  }

  /**
   * Stops running the run here without ending it: it stops at its next boundary, records nothing
   * more, and goes on elsewhere (another node, or this one after a restart).
   */
  void handOver(String reason) {
    handedOver = reason;
    stop.complete(null);
  }

  /** Why this process stopped running the run without ending it; empty while it runs here. */
  Optional<String> handedOver() {
    return Optional.ofNullable(handedOver);
  }

  /**
   * Ends the run here without a result: {@link #join} callers get a {@link RunHandedOverException}.
   */
  void finishHandedOver(AgentEvent.RunHandedOver event) {
    emit(event);
    done.completeExceptionally(new RunHandedOverException(event));
  }

  /**
   * Delivers every event so far to {@code listener}, then each new one as it happens. Returns what
   * unsubscribes it. A listener that throws is logged and dropped; it never breaks the run.
   */
  public AutoCloseable subscribe(Consumer<AgentEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    return subscribe(0, e -> listener.accept(e.event()));
  }

  /**
   * Delivers the events of this node with a seq above {@code afterSeq} (every earlier one first),
   * then each new one as it happens, numbered. Events before {@link #firstSeq} are in the store.
   */
  public synchronized AutoCloseable subscribe(long afterSeq, Consumer<RunEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    for (RunEvent e : events) {
      if (e.seq() > afterSeq && !deliver(listener, e)) {
        return () -> {};
      }
    }
    listeners.add(listener);
    return () -> unsubscribe(listener);
  }

  private synchronized void unsubscribe(Consumer<RunEvent> listener) {
    listeners.remove(listener);
  }

  synchronized void emit(AgentEvent event) {
    RunEvent numbered;
    if (event instanceof AgentEvent.RunHandedOver) {
      numbered = new RunEvent(seq, event); // this node's, not the run's: not stored
    } else {
      numbered = new RunEvent(++seq, event);
      journal.accept(numbered);
    }
    events.add(numbered);
    listeners.removeIf(l -> !deliver(l, numbered));
  }

  private boolean deliver(Consumer<RunEvent> listener, RunEvent event) {
    try {
      listener.accept(event);
      return true;
    } catch (RuntimeException e) {
      log.warn("run {}: an event listener failed and was removed: {}", id, e.toString());
      return false;
    }
  }

  void record(Step step) {
    transcript.add(step);
  }

  void status(RunStatus value) {
    status = value;
  }

  void mode(String value) {
    mode = value;
  }

  void sessionId(String value) {
    sessionId = value;
  }

  boolean cancelled() {
    return cancelled;
  }

  CompletableFuture<Void> stopSignal() {
    return stop;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  /**
   * Ends the run: the result is visible at once, then run_finished goes to the listeners, and only
   * then are {@link #join} callers released — so both see the whole story.
   */
  void finish(AgentResult result, AgentEvent.RunFinished event) {
    this.result = result;
    status = result.status();
    stop.complete(null);
    emit(event);
    done.complete(result);
  }

  /** How many calls of {@code tool} this run has made, this one included: 1 for the first. */
  int nextCall(String tool) {
    return callsByTool.merge(tool, 1, Integer::sum);
  }
}
