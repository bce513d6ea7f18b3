package ai.sophia.server.http;

import io.javalin.http.Context;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/*
 * Design: one server's way from starting to stopped, for rolling restarts. A server starts in
 * `starting` (its port is bound, the start-up checks still run), turns `ready` once the
 * composition root says so, and `draining` when it is asked to stop: /health/ready answers 503 from
 * then on, and every open event stream is told to end at once (its client reconnects elsewhere
 * with Last-Event-ID), so that only ordinary requests are left for Jetty's graceful stop to wait
 * for. Never back: a draining server does not turn ready again. The event streams find their
 * server's drain through the servlet context, so that several servers in one JVM (the tests)
 * drain apart.
 */

/** Whether a server is starting, ready or draining, and the event streams to end on draining. */
public final class Drain {
  /** The servlet context attribute under which a server's drain is found. */
  static final String ATTRIBUTE = Drain.class.getName();

  /** Where a server is on its way from starting to stopped. */
  public enum Phase {
    starting,
    ready,
    draining
  }

  private final Set<Runnable> streams = ConcurrentHashMap.newKeySet();
  private volatile Phase phase = Phase.starting;

  /** A drain in {@link Phase#starting}. */
  public static Drain create() {
    return new Drain();
  }

  private Drain() {}

  public Phase phase() {
    return phase;
  }

  /** Starting is over: the server takes traffic. Ignored once draining. */
  public synchronized void ready() {
    if (phase == Phase.starting) {
      phase = Phase.ready;
    }
  }

  /** From now on the server is draining: every open stream is told to end. */
  public void begin() {
    synchronized (this) {
      phase = Phase.draining;
    }
    for (Runnable end : streams) {
      end.run();
    }
  }

  /**
   * Calls {@code end} when draining begins (at once if it has); the returned handle forgets it, for
   * a stream that ended on its own.
   */
  AutoCloseable onDrain(Runnable end) {
    Objects.requireNonNull(end, "end");
    streams.add(end);
    if (phase == Phase.draining) {
      end.run();
    }
    return () -> streams.remove(end);
  }

  /** The drain of the server handling {@code ctx}; one that never drains when there is none. */
  static Drain of(Context ctx) {
    return ctx.req().getServletContext().getAttribute(ATTRIBUTE) instanceof Drain d ? d : NEVER;
  }

  private static final Drain NEVER = new Drain();

  /** Makes this drain the one the server's event streams find ({@link #of}). */
  public void attachTo(org.eclipse.jetty.ee10.servlet.ServletContextHandler context) {
    context.setAttribute(ATTRIBUTE, this);
  }
}
