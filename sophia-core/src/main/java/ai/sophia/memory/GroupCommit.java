package ai.sophia.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.jdbi.v3.core.Handle;

/**
 * Group commit: writers queue their work; whoever holds the write lock applies everything queued in
 * one transaction, and each caller returns once its work is committed.
 *
 * <p>Why: SQLite takes one writer at a time, and writers that find the lock taken sleep in its busy
 * handler (1, 2, 5, 10… ms), so a thousand runs committing their own transactions spend most of
 * their time asleep. Here they queue instead, and a batch costs about what one transaction costs. A
 * writer alone commits on its own thread with no hand-over.
 *
 * <p>A writer that finds the lock taken does not queue for it: it waits for its own work, which the
 * holder commits. (Queueing for the lock only to find the work done made 10,000 callers pass the
 * lock on one at a time, each hand-over a park and an unpark, after their work was committed.)
 *
 * <p>Invariant: the holder keeps applying batches until the queue is empty, and looks again after
 * releasing the lock, so work queued by a writer whose {@code tryLock} failed is always applied: by
 * the holder it failed against, or by a later one. A batch that fails is rolled back and applied
 * again one transaction per work, so that one bad write fails only its own caller.
 */
public final class GroupCommit<T> {
  private static final int MAX_BATCH = 512;

  private record Pending<T>(T work, CompletableFuture<Void> done) {}

  private final Database db;
  private final BiConsumer<Handle, List<T>> apply;
  private final ConcurrentLinkedQueue<Pending<T>> queue = new ConcurrentLinkedQueue<>();
  private final ReentrantLock lock = new ReentrantLock();

  /** {@code apply} writes a batch of works with one handle, inside the batch's transaction. */
  public GroupCommit(Database db, BiConsumer<Handle, List<T>> apply) {
    this.db = db;
    this.apply = apply;
  }

  /** Applies {@code work} in a transaction, possibly shared with other callers' work. */
  public void write(T work) {
    Pending<T> mine = new Pending<>(work, new CompletableFuture<>());
    queue.add(mine);
    while (!queue.isEmpty() && lock.tryLock()) {
      try {
        while (!queue.isEmpty()) {
          apply(drain());
        }
      } finally {
        lock.unlock();
      }
    }
    try {
      mine.done().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private List<Pending<T>> drain() {
    List<Pending<T>> batch = new ArrayList<>();
    Pending<T> p;
    while (batch.size() < MAX_BATCH && (p = queue.poll()) != null) {
      batch.add(p);
    }
    return batch;
  }

  private void apply(List<Pending<T>> batch) {
    try {
      db.useTransaction(h -> apply.accept(h, batch.stream().map(Pending::work).toList()));
      batch.forEach(p -> p.done().complete(null));
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        batch.getFirst().done().completeExceptionally(e);
        return;
      }
      for (Pending<T> p : batch) {
        try {
          db.useTransaction(h -> apply.accept(h, List.of(p.work())));
          p.done().complete(null);
        } catch (RuntimeException one) {
          p.done().completeExceptionally(one);
        }
      }
    } catch (Error e) {
      batch.forEach(p -> p.done().completeExceptionally(e));
      throw e;
    }
  }
}
