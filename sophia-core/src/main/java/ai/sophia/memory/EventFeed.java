package ai.sophia.memory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener of a run's numbered events (a swarm run's, an agent run's), fed on its own virtual
 * thread so that a slow listener never holds up the run. Ends after the run's last event or when
 * closed.
 *
 * <p>Design note: the store is the truth, whoever writes the run (this process, another process on
 * the same database, another node). The feed first reads the stored events after its {@code
 * afterSeq}, then takes what comes: events {@linkplain #offer offered} live by the process running
 * the run (the fast path), a {@link #wake} when another node committed some (PostgreSQL's NOTIFY),
 * or, when nothing came for {@code pollEvery}, a look at the store. It delivers each seq once and
 * in order: an offered event that leaves a gap (the seqs between were written elsewhere, or are not
 * stored yet) sends it to the store first, and waits there for them.
 */
public final class EventFeed<E> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventFeed.class);
  private static final Object CLOSE = new Object();
  private static final Object WAKE = new Object();
  private static final int PAGE = 1000;

  /**
   * Where a feed reads a run's events back, and how it tells them apart: {@code after} gives the
   * stored events with a seq above the one given, in order, at most the limit given; {@code
   * finished} is true once the run has ended (or when there is no such run); {@code last} marks the
   * run's last event.
   */
  public record Log<E>(
      Page<E> after, BooleanSupplier finished, ToLongFunction<E> seq, Predicate<E> last) {}

  /** The stored events with a seq above {@code seq}, in order, at most {@code limit}. */
  @FunctionalInterface
  public interface Page<E> {
    List<E> read(long seq, int limit);
  }

  private final Log<E> store;
  private final Consumer<E> listener;
  private final Duration pollEvery;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final String name;
  private volatile Runnable onClose = () -> {};
  private volatile Runnable onEnd = () -> {};
  private volatile boolean closed;

  /** The last seq delivered; only the delivering thread reads or writes it. */
  private long delivered;

  /**
   * A feed of the events after {@code afterSeq}; {@code name} names its thread and its failures.
   */
  public EventFeed(
      String name, Log<E> store, Consumer<E> listener, long afterSeq, Duration pollEvery) {
    this.name = Objects.requireNonNull(name, "name");
    this.store = Objects.requireNonNull(store, "store");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.delivered = afterSeq;
    this.pollEvery = Objects.requireNonNull(pollEvery, "pollEvery");
  }

  /** A live event from the process running the run, in seq order. */
  public void offer(E e) {
    queue.add(e);
  }

  /** Another process stored events of this run: read them from the store now. */
  public void wake() {
    queue.add(WAKE);
  }

  /** Adds an action to run once the feed ends. */
  public synchronized void onClose(Runnable action) {
    Runnable before = onClose;
    onClose =
        () -> {
          before.run();
          action.run();
        };
  }

  /**
   * Sets what runs when the feed ends by itself (after the last event, or a finished run whose last
   * event the store does not have), not when it is closed.
   */
  public void onEnd(Runnable action) {
    onEnd = Objects.requireNonNull(action, "action");
  }

  /** Delivers the stored events, then the new ones, until the last one or close. */
  public void start() {
    Thread.ofVirtual().name(name).start(this::deliver);
  }

  @SuppressWarnings("unchecked")
  private void deliver() {
    try {
      if (catchUp()) {
        return;
      }
      boolean lastLook = false;
      while (!closed) {
        Object next = queue.poll(pollEvery.toMillis(), TimeUnit.MILLISECONDS);
        if (next == CLOSE) {
          return;
        }
        if (next == null || next == WAKE) {
          long before = delivered;
          if (catchUp()) {
            return;
          }
          if (next == null && delivered == before) {
            if (lastLook) {
              return; // finished and purged, or no such run
            }
            // One more read after seeing it finished: its last events may have come since.
            lastLook = store.finished().getAsBoolean();
          }
          continue;
        }
        E e = (E) next;
        long seq = store.seq().applyAsLong(e);
        if (seq > delivered + 1 && catchUp()) {
          return; // the events between were written elsewhere: the store has them
        }
        // Never past a gap: what the store does not have yet, a later look finds.
        if (seq == delivered + 1 && send(e)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("an event listener ({}) failed; its feed ends: {}", name, e.toString());
    } finally {
      boolean ended = !closed;
      closed = true;
      onClose.run();
      if (ended) {
        onEnd.run();
      }
    }
  }

  /** Delivers the stored events after the last delivered; true once the last event is. */
  private boolean catchUp() {
    while (!closed) {
      List<E> page = store.after().read(delivered, PAGE);
      for (E e : page) {
        if (store.seq().applyAsLong(e) > delivered && send(e)) {
          return true;
        }
      }
      if (page.size() < PAGE) {
        return false;
      }
    }
    return false;
  }

  private boolean send(E e) {
    listener.accept(e);
    delivered = store.seq().applyAsLong(e);
    return store.last().test(e);
  }

  @Override
  public void close() {
    closed = true;
    queue.add(CLOSE);
    onClose.run();
  }
}
