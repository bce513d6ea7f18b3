package ai.sophia.agent;

import ai.sophia.error.ConflictException;
import ai.sophia.error.NotFoundException;
import ai.sophia.tool.Risk;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks people to approve risky tool calls and hands their decisions to the waiting runs.
 *
 * <p>The store is the source of truth: a decision counts only if it moved the approval out of
 * pending ({@link ApprovalStore#settle}), so deciding twice, or deciding after the run stopped
 * waiting, is a {@link ConflictException}. The waiting run holds a future per approval here; a
 * server restart loses those futures, and approvals of runs that no longer exist stay pending until
 * decided (deciding them then has no effect on any run).
 */
public final class Approvals {
  /** A person's decision. */
  public record Decision(boolean granted, String decidedBy, String reason) {}

  private final ApprovalStore store;
  private final Clock clock;
  private final Map<String, CompletableFuture<Decision>> waiting = new ConcurrentHashMap<>();

  public Approvals(ApprovalStore store, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
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
