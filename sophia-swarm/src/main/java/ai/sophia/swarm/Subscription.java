package ai.sophia.swarm;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener of a run's events, fed on its own virtual thread so that a slow listener never holds
 * up the run. Ends after {@code run_finished} or when closed.
 *
 * <p>Design note: the store is the truth, whoever writes the run (this engine, another process on
 * the same database, another node). The subscription first reads the stored events after its {@code
 * afterSeq}, then takes what comes: events offered live by this engine's {@link RunLog} (the fast
 * path), a {@link #wake} when another node committed some (PostgreSQL's NOTIFY), or, when nothing
 * came for {@code pollEvery}, a look at the store. It delivers each seq once and in order: an
 * offered event that leaves a gap (the seqs between were written elsewhere) sends it to the store
 * first.
 */
final class Subscription implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Subscription.class);
  private static final SwarmEvent CLOSE = marker("__close__");
  private static final SwarmEvent WAKE = marker("__wake__");
  private static final int PAGE = 1000;

  private final SwarmStore store;
  private final String runId;
  private final Consumer<SwarmEvent> listener;
  private final Duration pollEvery;
  private final LinkedBlockingQueue<SwarmEvent> queue = new LinkedBlockingQueue<>();
  private volatile Runnable onClose = () -> {};
  private volatile boolean closed;

  /** The last seq delivered; only the delivering thread reads or writes it. */
  private long delivered;

  Subscription(
      SwarmStore store,
      String runId,
      Consumer<SwarmEvent> listener,
      long afterSeq,
      Duration pollEvery) {
    this.store = store;
    this.runId = runId;
    this.listener = listener;
    this.delivered = afterSeq;
    this.pollEvery = pollEvery;
  }

  private static SwarmEvent marker(String type) {
    return new SwarmEvent("", 0, type, "", Json.object(), Instant.EPOCH);
  }

  String runId() {
    return runId;
  }

  /** A live event from this engine, committed already. */
  void offer(SwarmEvent e) {
    queue.add(e);
  }

  /** Another process committed events of this run: read them from the store now. */
  void wake() {
    queue.add(WAKE);
  }

  /** Adds an action to run once the subscription ends. */
  synchronized void onClose(Runnable action) {
    Runnable before = onClose;
    onClose =
        () -> {
          before.run();
          action.run();
        };
  }

  /** Delivers the stored events, then the new ones, until the last one or close. */
  void start() {
    Thread.ofVirtual().name("swarm-subscriber").start(this::deliver);
  }

  private void deliver() {
    try {
      if (catchUp()) {
        return;
      }
      boolean lastLook = false;
      while (!closed) {
        SwarmEvent e = queue.poll(pollEvery.toMillis(), TimeUnit.MILLISECONDS);
        if (e == CLOSE) {
          return;
        }
        if (e == null || e == WAKE) {
          long before = delivered;
          if (catchUp()) {
            return;
          }
          if (e == null && delivered == before) {
            if (lastLook) {
              return; // finished and purged, or no such run
            }
            // One more read after seeing it finished: its last events may have come since.
            lastLook = store.find(runId).map(r -> r.status().finished()).orElse(true);
          }
          continue;
        }
        if (e.seq() > delivered + 1 && catchUp()) {
          return; // the events between were written elsewhere: the store has them
        }
        if (e.seq() > delivered && send(e)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("a swarm event listener failed; its subscription ends: {}", e.toString());
    } finally {
      closed = true;
      onClose.run();
    }
  }

  /** Delivers the stored events after the last delivered; true once the last event is. */
  private boolean catchUp() {
    while (!closed) {
      List<SwarmEvent> page = store.events(runId, delivered, PAGE);
      for (SwarmEvent e : page) {
        if (send(e)) {
          return true;
        }
      }
      if (page.size() < PAGE) {
        return false;
      }
    }
    return false;
  }

  private boolean send(SwarmEvent e) {
    listener.accept(e);
    delivered = e.seq();
    return e.last();
  }

  @Override
  public void close() {
    closed = true;
    queue.add(CLOSE);
    onClose.run();
  }
}
