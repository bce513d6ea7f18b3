package ai.sophia.memory;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open {@link EventFeed}s of a process, by run id, so that a notification that another node
 * stored events of a run ({@link Database#listen}) wakes the feeds of that run.
 */
public final class EventFeeds<E> {
  private static final Logger log = LoggerFactory.getLogger(EventFeeds.class);
  private final ConcurrentMap<String, Set<EventFeed<E>>> byRun = new ConcurrentHashMap<>();

  /** Keeps {@code feed} under {@code runId} until it ends. */
  public void add(String runId, EventFeed<E> feed) {
    byRun.computeIfAbsent(runId, id -> ConcurrentHashMap.newKeySet()).add(feed);
    feed.onClose(
        () ->
            byRun.computeIfPresent(
                runId,
                (id, set) -> {
                  set.remove(feed);
                  return set.isEmpty() ? null : set;
                }));
  }

  /** Wakes the feeds of {@code runId}. */
  public void wake(String runId) {
    byRun.getOrDefault(runId, Set.of()).forEach(EventFeed::wake);
  }

  /** Wakes every feed: some notifications may have been missed. */
  public void wakeAll() {
    byRun.values().forEach(set -> set.forEach(EventFeed::wake));
  }

  /** Closes what {@link Database#listen} returned, if anything; a failure to close is logged. */
  public static void stopListening(Optional<AutoCloseable> listening) {
    listening.ifPresent(
        l -> {
          try {
            l.close();
          } catch (Exception e) {
            log.debug("closing the store's listener failed: {}", e.toString());
          }
        });
  }
}
