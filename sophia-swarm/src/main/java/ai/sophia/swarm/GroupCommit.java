package ai.sophia.swarm;

import ai.sophia.memory.SqliteDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;

/**
 * Group commit: the writes of all runs go through one writer thread, which applies everything that
 * is waiting in one transaction, and each caller returns once its write is committed.
 *
 * <p>Why: SQLite takes one writer at a time, and writers that find the lock taken sleep in its busy
 * handler (1, 2, 5, 10… ms), so a thousand runs committing their own transactions spend most of
 * their time asleep. One writer never contends with itself, and a batch costs about what one
 * transaction costs. A run with nothing beside it waits only for the hand-over to the writer.
 *
 * <p>A batch that fails is rolled back and its writes are applied again one transaction each, so
 * that one bad write fails only its own caller.
 */
final class GroupCommit {
  private static final int MAX_BATCH = 512;

  private record Pending(Consumer<Handle> work, CompletableFuture<Void> done) {}

  private final SqliteDatabase db;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();

  GroupCommit(SqliteDatabase db) {
    this.db = db;
    // A platform thread: SQLite calls are native and would pin a virtual thread's carrier anyway.
    Thread.ofPlatform().daemon().name("swarm-store-writer").start(this::loop);
  }

  /** Applies {@code work} in a transaction, possibly shared with other callers' work. */
  void write(Consumer<Handle> work) {
    Pending p = new Pending(work, new CompletableFuture<>());
    queue.add(p);
    try {
      p.done().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private void loop() {
    List<Pending> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      try {
        db.useTransaction(h -> batch.forEach(p -> p.work().accept(h)));
        batch.forEach(p -> p.done().complete(null));
      } catch (RuntimeException e) {
        if (batch.size() == 1) {
          batch.getFirst().done().completeExceptionally(e);
        } else {
          for (Pending p : batch) {
            try {
              db.useTransaction(h -> p.work().accept(h));
              p.done().complete(null);
            } catch (RuntimeException one) {
              p.done().completeExceptionally(one);
            }
          }
        }
      } catch (Error e) {
        batch.forEach(p -> p.done().completeExceptionally(e));
        throw e;
      }
      batch.clear();
    }
  }
}
