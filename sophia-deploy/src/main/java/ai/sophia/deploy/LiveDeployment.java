package ai.sophia.deploy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deployment running in this process: its state, its events (stored, then handed to listeners,
 * under one lock so a new listener misses none and sees none twice) and the run of its target.
 * {@code finished} is told the id when it ends, whatever happened.
 */
final class LiveDeployment {
  private static final Logger log = LoggerFactory.getLogger(LiveDeployment.class);

  private final Target target;
  private final DeploymentStore store;
  private final Clock clock;
  private final Duration timeout;
  private final Consumer<String> finished;
  private final java.util.List<Consumer<DeployEvent>> listeners = new java.util.ArrayList<>();
  final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
  private Deployment current;
  private long seq;

  LiveDeployment(
      Deployment d,
      Target target,
      DeploymentStore store,
      Clock clock,
      Duration timeout,
      Consumer<String> finished) {
    this.current = d;
    this.target = target;
    this.store = store;
    this.clock = clock;
    this.timeout = timeout;
    this.finished = finished;
  }

  synchronized Deployment current() {
    return current;
  }

  synchronized AutoCloseable subscribe(Consumer<DeployEvent> sink) {
    store.events(current.id(), 0, Deployments.MAX_EVENTS).forEach(sink);
    listeners.add(sink);
    return () -> {
      synchronized (LiveDeployment.this) {
        listeners.remove(sink);
      }
    };
  }

  void log(String line) {
    append(DeployEvent.LOG, redact(line), "");
  }

  synchronized void status(DeploymentStatus status, String detail) {
    current = current.with(status, redact(detail), clock.instant());
    store.update(current);
    append(DeployEvent.STATUS, status.name(), current.detail());
  }

  private synchronized void append(String kind, String text, String detail) {
    DeployEvent e = new DeployEvent(++seq, clock.instant(), kind, text, detail);
    store.appendEvent(current.id(), e);
    listeners.forEach(l -> l.accept(e));
  }

  void execute(Optional<Deployment> previous, boolean rollback) {
    Deployment d = current();
    try {
      status(
          DeploymentStatus.running,
          "deploying " + (d.version().isEmpty() ? "" : d.version() + " ") + "with " + d.strategy());
      log.info("deployment {} of {} ({}) started", d.id(), d.target(), d.targetType());
      DeployJob job =
          new DeployJob(d, previous, rollback, this::log, clock.instant().plus(timeout));
      Outcome o;
      try {
        o = target.deploy(job);
      } catch (InterruptedException e) {
        o = Outcome.failed("interrupted: Sophia stopped while it ran");
      } catch (RuntimeException e) {
        log.warn(
            "deployment {} of {} failed unexpectedly: {}",
            d.id(),
            d.target(),
            redact(String.valueOf(e.getMessage())));
        o =
            Outcome.failed(
                "unexpected error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      synchronized (this) {
        current = current.withOutcome(o);
      }
      status(o.status(), o.detail());
      log.info(
          "deployment {} of {} ended {}: {}", d.id(), d.target(), o.status(), redact(o.detail()));
      if (rollback && o.status() == DeploymentStatus.healthy) {
        markRolledBack(d.rollbackOf(), d.id());
      }
    } finally {
      finished.accept(d.id());
      done.countDown();
    }
  }

  private void markRolledBack(String id, String by) {
    store
        .find(id)
        .ifPresent(
            undone -> {
              Instant now = clock.instant();
              String why = "rolled back by " + by;
              store.update(
                  undone
                      .with(DeploymentStatus.rolled_back, why, now)
                      .withFinishedAt(undone.finishedAt()));
              long last =
                  store.events(id, 0, Deployments.MAX_EVENTS).stream()
                      .mapToLong(DeployEvent::seq)
                      .max()
                      .orElse(0);
              store.appendEvent(
                  id, new DeployEvent(last + 1, now, DeployEvent.STATUS, "rolled_back", why));
            });
  }

  private String redact(String line) {
    String out = line;
    for (String secret : target.secrets()) {
      out = out.replace(secret, "[redacted]");
    }
    return out;
  }
}
