package ai.sophia.agent;

import ai.sophia.error.ConflictException;
import ai.sophia.error.NotFoundException;
import ai.sophia.tool.Risk;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks people to approve risky tool calls and hands their decisions to the waiting runs.
 *
 * <p>The store is the source of truth: a decision counts only if it moved the approval out of
 * pending ({@link ApprovalStore#settle}), so deciding twice, or deciding after the run stopped
 * waiting, is a {@link ConflictException}. The waiting run holds a future per approval here; a
 * server restart loses those futures, but the run, taken over from its transcript, waits for the
 * same approval again ({@link #stillOpen}), and a decision made while no process waited counts
 * then. A decision made on another node (a shared PostgreSQL) reaches the waiting run here within
 * {@link #LOOK_EVERY}: while runs wait, the store is read for their approvals' decisions.
 */
public final class Approvals implements AutoCloseable {
  /** How often the store is read for decisions other nodes made, while a run waits. */
  static final Duration LOOK_EVERY = Duration.ofSeconds(1);

  /** A person's decision. */
  public record Decision(boolean granted, String decidedBy, String reason) {}

  private static final Logger log = LoggerFactory.getLogger(Approvals.class);

  private final ApprovalStore store;
  private final Clock clock;
  private final Map<String, CompletableFuture<Decision>> waiting = new ConcurrentHashMap<>();

  private final ScheduledExecutorService looker =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofVirtual().name("approvals-elsewhere").factory());

  public Approvals(ApprovalStore store, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    long every = LOOK_EVERY.toMillis();
    looker.scheduleWithFixedDelay(this::collectDecisions, every, every, TimeUnit.MILLISECONDS);
  }

  /** Hands the waiting runs the decisions made elsewhere (another node); how many. */
  int collectDecisions() {
    int handed = 0;
    try {
      for (Map.Entry<String, CompletableFuture<Decision>> w : waiting.entrySet()) {
        if (w.getValue().isDone()) {
          continue;
        }
        Approval a = store.find(w.getKey()).orElse(null);
        if (a != null
            && (a.status().equals(Approval.GRANTED) || a.status().equals(Approval.DENIED))) {
          handed++;
          w.getValue()
              .complete(
                  new Decision(a.status().equals(Approval.GRANTED), a.decidedBy(), a.reason()));
        }
      }
    } catch (RuntimeException e) {
      log.debug("reading approvals decided elsewhere failed: {}", e.toString());
    }
    return handed;
  }

  @Override
  public void close() {
    looker.shutdownNow();
  }

  /**
   * Records a pending approval for a call of {@code tool}; the returned future gets the decision.
   */
  Approval request(String runId, String agent, String tool, Risk risk, String argumentsJson) {
    Approval a =
        new Approval(
            Ids.next("apr"),
            runId,
            agent,
            tool,
            risk,
            argumentsJson,
            Approval.PENDING,
            clock.instant(),
            "",
            "");
    waiting.put(a.id(), new CompletableFuture<>());
    store.insert(a);
    return a;
  }

  /**
   * The approval a run waited for before a crash, unless it expired since; when a person decided it
   * meanwhile, the decision is ready for the run at once.
   */
  Optional<Approval> stillOpen(String approvalId) {
    Optional<Approval> found =
        store.find(approvalId).filter(a -> !a.status().equals(Approval.EXPIRED));
    found.ifPresent(
        a -> {
          CompletableFuture<Decision> waiter =
              waiting.computeIfAbsent(a.id(), id -> new CompletableFuture<>());
          if (!a.status().equals(Approval.PENDING)) {
            waiter.complete(
                new Decision(a.status().equals(Approval.GRANTED), a.decidedBy(), a.reason()));
          }
        });
    return found;
  }

  /** The future the waiting run blocks on; {@link #forget} it once the run stops waiting. */
  CompletableFuture<Decision> decision(String approvalId) {
    return waiting.computeIfAbsent(approvalId, id -> new CompletableFuture<>());
  }

  void forget(String approvalId) {
    waiting.remove(approvalId);
  }

  /** The run stopped waiting (cancelled, timed out): the approval can no longer be decided. */
  void expire(String approvalId, String reason) {
    store.settle(approvalId, Approval.EXPIRED, "", reason, clock.instant());
    waiting.remove(approvalId);
  }

  /**
   * Grants or denies a pending approval; the run waiting for it continues.
   *
   * @throws NotFoundException when there is no such approval
   * @throws ConflictException when it was already decided or has expired
   */
  public Approval decide(String approvalId, boolean granted, String decidedBy, String reason) {
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(decidedBy, "decidedBy");
    String why = reason == null ? "" : reason;
    String status = granted ? Approval.GRANTED : Approval.DENIED;
    if (!store.settle(approvalId, status, decidedBy, why, clock.instant())) {
      Approval existing =
          store
              .find(approvalId)
              .orElseThrow(() -> new NotFoundException("no approval " + approvalId));
      throw new ConflictException(
          "approval " + approvalId + " is already " + existing.status() + "; it cannot be decided");
    }
    CompletableFuture<Decision> waiter = waiting.get(approvalId);
    if (waiter != null) {
      waiter.complete(new Decision(granted, decidedBy, why));
    }
    return store.find(approvalId).orElseThrow();
  }

  public Approval find(String approvalId) {
    return store
        .find(approvalId)
        .orElseThrow(() -> new NotFoundException("no approval " + approvalId));
  }

  /** Pending approvals, oldest first, at most {@code limit}. */
  public List<Approval> pending(int limit) {
    return store.pending(limit);
  }

  /** A run's approvals in any status, oldest first (at most 100). */
  public List<Approval> forRun(String runId) {
    return store.forRun(runId, 100);
  }
}
