package ai.sophia.swarm;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener of a run's events, fed on its own virtual thread so that a slow listener never holds
 * up the run. Ends after {@code run_finished} or when closed.
 */
final class Subscription implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Subscription.class);
  private static final SwarmEvent CLOSE =
      new SwarmEvent("", 0, "__close__", "", Json.object(), java.time.Instant.EPOCH);

  private final Consumer<SwarmEvent> listener;
  private final LinkedBlockingQueue<SwarmEvent> queue = new LinkedBlockingQueue<>();
  private volatile Runnable onClose = () -> {};
  private volatile boolean closed;
  private long afterSeq;

  Subscription(Consumer<SwarmEvent> listener, long afterSeq) {
    this.listener = listener;
    this.afterSeq = afterSeq;
  }

  /** Queues an event unless the listener has it already (it asked for events after a later seq). */
  synchronized void offer(SwarmEvent e) {
    if (e.seq() > afterSeq) {
      afterSeq = e.seq();
      queue.add(e);
    }
  }

  void onClose(Runnable action) {
    this.onClose = action;
  }

  /** Delivers queued events until the last one or close. */
  void start() {
    Thread.ofVirtual().name("swarm-subscriber").start(this::deliver);
  }

  private void deliver() {
    try {
      while (!closed) {
        SwarmEvent e = queue.take();
        if (e == CLOSE) {
          return;
        }
        listener.accept(e);
        if (e.last()) {
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

  /** Polls the store for a run that no live log of this engine writes (another process's). */
  static void poll(
      SwarmStore store, String runId, long afterSeq, Subscription s, Duration interval) {
    Thread.ofVirtual()
        .name("swarm-subscriber-poll")
        .start(
            () -> {
              long after = afterSeq;
              boolean lastLook = false;
              try {
                while (!s.closed) {
                  var page = store.events(runId, after, 1000);
                  for (SwarmEvent e : page) {
                    s.listener.accept(e);
                    after = e.seq();
                    if (e.last()) {
                      return;
                    }
                  }
                  if (page.isEmpty()) {
                    if (lastLook) {
                      return; // finished and purged, or no such run
                    }
                    // One more read after seeing it finished: its last events may have come since.
                    lastLook = store.find(runId).map(r -> r.status().finished()).orElse(true);
                    if (!lastLook) {
                      Thread.sleep(interval);
                    }
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                log.warn("a swarm event listener failed; its subscription ends: {}", e.toString());
              } finally {
                s.closed = true;
              }
            });
  }

  @Override
  public void close() {
    closed = true;
    queue.add(CLOSE);
    onClose.run();
  }
}
