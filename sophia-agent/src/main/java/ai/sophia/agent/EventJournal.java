package ai.sophia.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes agent runs' events to the store a moment after the run delivered them to this node's
 * listeners, so that the run never waits for the database and other nodes follow it from there.
 *
 * <p>Design note: one writer thread takes what is queued (every run's, in emit order) and appends
 * it in batches of up to {@value #BATCH} events in one transaction, as this node's owner: a run
 * another node took meanwhile is refused by the store's fence, and its later events are dropped
 * here. {@link #flush} waits for what was queued before it, which the run does before it saves its
 * progress and its end, so a stored transcript never runs ahead of its stored events. A store that
 * fails is tried again (three attempts); what still fails is dropped and said.
 */
final class EventJournal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventJournal.class);
  private static final int BATCH = 500;
  private static final long FLUSH_WAIT_MS = 5_000;

  /** How events are written in the store and read back: snake_case, each named by its type. */
  static final ObjectMapper JSON = mapper();

  private static ObjectMapper mapper() {
    ObjectMapper m = RunRecorder.JSON.copy();
    m.registerSubtypes(
        AgentEvent.RunStarted.class,
        AgentEvent.ModelReplied.class,
        AgentEvent.Token.class,
        AgentEvent.ToolStarted.class,
        AgentEvent.ToolFinished.class,
        AgentEvent.ApprovalRequired.class,
        AgentEvent.ApprovalDecided.class,
        AgentEvent.RunResumed.class,
        AgentEvent.RunHandedOver.class,
        AgentEvent.RunFinished.class);
    return m;
  }

  private record Flush(CompletableFuture<Void> done) {}

  private final AgentRunStore store;
  private final String owner;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Set<String> lost = ConcurrentHashMap.newKeySet();
  private final Thread writer;
  private volatile boolean closed;

  EventJournal(AgentRunStore store, String owner) {
    this.store = store;
    this.owner = owner;
    this.writer = Thread.ofPlatform().daemon().name("agent-event-journal").start(this::write);
  }

  /** Queues {@code e} of {@code runId} for the store. */
  void append(String runId, RunEvent e) {
    if (!lost.contains(runId)) {
      queue.add(stored(runId, e));
    }
  }

  /** Waits (5 s at most) until everything queued before this call is written or dropped. */
  void flush() {
    if (closed || Thread.currentThread() == writer) {
      return;
    }
    Flush f = new Flush(new CompletableFuture<>());
    queue.add(f);
    try {
      f.done().get(FLUSH_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      log.warn("writing agent run events is behind by {} events", queue.size());
    }
  }

  /** A run's event as the store keeps it. */
  static AgentRunStore.StoredEvent stored(String runId, RunEvent e) {
    try {
      return new AgentRunStore.StoredEvent(
          runId,
          e.seq(),
          e.event().type(),
          JSON.writeValueAsString(e.event()),
          Instant.now().truncatedTo(ChronoUnit.MILLIS));
    } catch (JsonProcessingException x) {
      throw new IllegalStateException("an agent event must always serialize", x);
    }
  }

  /** A stored event as the run emitted it. */
  static RunEvent read(AgentRunStore.StoredEvent e) {
    try {
      return new RunEvent(e.seq(), JSON.readValue(e.dataJson(), AgentEvent.class));
    } catch (JsonProcessingException x) {
      throw new IllegalStateException(
          "run " + e.runId() + ": stored event " + e.seq() + " is not an event", x);
    }
  }

  private void write() {
    List<Object> taken = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        Object first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        taken.add(first);
        queue.drainTo(taken, BATCH - 1);
        List<AgentRunStore.StoredEvent> events = new ArrayList<>();
        for (Object o : taken) {
          if (o instanceof AgentRunStore.StoredEvent e && !lost.contains(e.runId())) {
            events.add(e);
          }
        }
        writeBatch(events);
        for (Object o : taken) {
          if (o instanceof Flush f) {
            f.done().complete(null);
          }
        }
        taken.clear();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void writeBatch(List<AgentRunStore.StoredEvent> events) throws InterruptedException {
    for (int attempt = 1; !events.isEmpty(); attempt++) {
      try {
        Set<String> refused = store.appendEvents(owner, events);
        for (String runId : refused) {
          if (lost.add(runId)) {
            log.info("agent run {} is held by another node: its events here are not stored", runId);
          }
        }
        return;
      } catch (RuntimeException e) {
        if (attempt >= 3) {
          log.warn("storing {} agent run events failed: {}", events.size(), e.getMessage());
          return;
        }
        Thread.sleep(200L * attempt);
      }
    }
  }

  /** Writes what is queued (5 s at most), then stops. */
  @Override
  public void close() {
    flush();
    closed = true;
    try {
      writer.join(FLUSH_WAIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
