package ai.sophia.security;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The append-only, hash-chained record of every change and every refused authentication or
 * authorization. Each entry's hash is SHA-256 over its fields and the previous entry's hash, so an
 * altered, inserted or removed entry breaks the chain where it happened, which {@link #verify}
 * finds.
 */
public interface AuditLog {
  /** Appends {@code event} at the end of the chain; returns it with its seq and hashes. */
  AuditEntry append(AuditEntry event);

  /**
   * The newest entries first, at most {@code limit}; only those older than {@code beforeSeq} when
   * it is positive.
   */
  List<AuditEntry> recent(int limit, long beforeSeq);

  /** Every entry, oldest first (an export). */
  void forEach(Consumer<AuditEntry> each);

  /** Walks the whole chain: intact, or where and why it breaks. */
  Verification verify();

  /**
   * The outcome of {@link #verify}: {@code entries} checked, the head's hash, and the first break
   * (the seq where the chain stops holding, and why) when there is one.
   */
  record Verification(long entries, String headHash, Optional<Break> broken) {
    public boolean intact() {
      return broken.isEmpty();
    }
  }

  record Break(long seq, String reason) {}
}
