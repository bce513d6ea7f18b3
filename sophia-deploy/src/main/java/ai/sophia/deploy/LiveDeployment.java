package ai.sophia.deploy;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deployment running in this process: its state, its events and who listens to them. Every event
 * is stored before listeners see it, under this object's lock, so a new listener replays the store
 * and then gets each later event exactly once. Log lines and details pass redaction of the target's
 * secrets first.
 */
final class LiveDeployment {
  private static final Logger log = LoggerFactory.getLogger(LiveDeployment.class);

  private final Target target;
  private final DeploymentStore store;
  private final Clock clock;
  private final Duration timeout;
  private final Runnable finished;
  private final List<Consumer<DeployEvent>> listeners = new ArrayList<>();
  final CountDownLatch done = new CountDownLatch(1);
  private Deployment current;
  private long seq;

  LiveDeployment(
      Deployment d,
      Target target,
      DeploymentStore store,
      Clock clock,
      Duration timeout,
      Runnable finished) {
    this.current = d;
    this.target = target;
    this.store = store;
    this.clock = clock;
    this.timeout = timeout;
    this.finished = finished;
  }

  /** Saves a stored deployment's new status and adds it to its timeline. */
  static void settle(DeploymentStore store, Deployment changed) {
    store.update(changed);
    long last =
        store.events(changed.id(), 0, Deployments.MAX_EVENTS).stream()
            .mapToLong(DeployEvent::seq)
            .max()
            .orElse(0);
    store.appendEvent(
        changed.id(),
        new DeployEvent(
            last + 1,
            changed.updatedAt(),
            DeployEvent.STATUS,
            changed.status().name(),
            changed.detail()));
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

  /** Runs the deployment to its end; {@code previous} is the healthy one it replaces. */
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
        store
            .find(d.rollbackOf())
            .ifPresent(
                undone ->
                    settle(
                        store,
                        undone
                            .with(
                                DeploymentStatus.rolled_back,
                                "rolled back by " + d.id(),
                                clock.instant())
                            .withFinishedAt(undone.finishedAt())));
      }
    } finally {
      finished.run();
      done.countDown();
    }
  }

  private String redact(String line) {
    String out = line;
    for (String secret : target.secrets()) {
      out = out.replace(secret, "[redacted]");
    }
    return out;
  }
}
