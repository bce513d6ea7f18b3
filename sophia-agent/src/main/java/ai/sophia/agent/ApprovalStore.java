package ai.sophia.agent;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Approvals of risky tool calls. */
public interface ApprovalStore {
  void insert(Approval approval);

  Optional<Approval> find(String id);

  /**
   * Moves a pending approval to {@code status}; false when it was not pending (or does not exist),
   * so that of two deciders exactly one wins.
   */
  boolean settle(String id, String status, String decidedBy, String reason, Instant at);

  /** Pending approvals, oldest first, at most {@code limit}. */
  List<Approval> pending(int limit);

  /** A run's approvals in any status, oldest first, at most {@code limit}. */
  List<Approval> forRun(String runId, int limit);
}
