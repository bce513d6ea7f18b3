package ai.sophia.swarm;

import ai.sophia.error.ConflictException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A {@link SwarmStore} in memory: nothing survives the process. For runs that need no durability
 * and as the no-persistence baseline of the benchmarks.
 */
public final class InMemorySwarmStore implements SwarmStore {
  private final Map<String, Entry> runs = new HashMap<>();

  private static final class Entry {
    SwarmRun run;
    String owner;
    long leaseUntil;
    String cancelBy = "";
    final Map<String, StepRecord> steps = new LinkedHashMap<>();
    final Map<String, JsonNode> approvals = new HashMap<>();
    final List<SwarmEvent> events = new ArrayList<>();
  }

  public InMemorySwarmStore() {}

  @Override
  public synchronized void create(
      SwarmRun run, String owner, Instant leaseUntil, List<SwarmEvent> events) {
    if (runs.containsKey(run.id())) {
      throw new ConflictException("swarm run " + run.id() + " exists already");
    }
    Entry e = new Entry();
    e.run = run;
    e.owner = owner;
    e.leaseUntil = leaseUntil.toEpochMilli();
    e.events.addAll(events);
    runs.put(run.id(), e);
  }

  @Override
  public synchronized Optional<String> commit(Commit c) {
    Entry e = runs.get(c.runId());
    if (e == null) {
      throw new IllegalStateException("no swarm run " + c.runId());
    }
    if (!e.owner.equals(c.owner())) {
      return Optional.of(e.owner);
    }
    for (StepWrite w : c.steps()) {
      e.steps.put(w.step().key(), w.step());
      if (!w.approval().isNull()) {
        e.approvals.put(w.step().key(), w.approval());
      }
    }
    c.run()
        .ifPresent(
            r ->
                e.run =
                    new SwarmRun(
                        e.run.id(),
                        e.run.graph(),
                        r.status(),
                        e.run.requestedBy(),
                        e.run.input(),
                        r.state(),
                        List.of(),
                        r.error(),
                        e.run.createdAt(),
                        r.finishedAt(),
                        e.run.deadline()));
    e.events.addAll(c.events());
    return Optional.empty();
  }

  @Override
  public synchronized Optional<SwarmRun> find(String runId) {
    Entry e = runs.get(runId);
    return e == null ? Optional.empty() : Optional.of(withSteps(e));
  }

  private static SwarmRun withSteps(Entry e) {
    SwarmRun r = e.run;
    return new SwarmRun(
        r.id(),
        r.graph(),
        r.status(),
        r.requestedBy(),
        r.input(),
        r.state(),
        List.copyOf(e.steps.values()),
        r.error(),
        r.createdAt(),
        r.finishedAt(),
        r.deadline());
  }

  @Override
  public synchronized List<SwarmRun> list(Optional<SwarmStatus> status, int limit) {
    return runs.values().stream()
        .map(e -> e.run)
        .filter(r -> status.isEmpty() || r.status() == status.get())
        .sorted(Comparator.comparing(SwarmRun::createdAt).reversed())
        .limit(Math.max(1, Math.min(limit, 1000)))
        .toList();
  }

  @Override
  public synchronized List<SwarmRun> unfinished(int limit) {
    return runs.values().stream()
        .map(e -> e.run)
        .filter(r -> !r.status().finished())
        .sorted(Comparator.comparing(SwarmRun::createdAt))
        .limit(limit)
        .toList();
  }

  @Override
  public synchronized Map<String, JsonNode> approvals(String runId) {
    Entry e = runs.get(runId);
    return e == null ? Map.of() : Map.copyOf(e.approvals);
  }

  @Override
  public synchronized List<SwarmEvent> events(String runId, long afterSeq, int limit) {
    Entry e = runs.get(runId);
    if (e == null) {
      return List.of();
    }
    return e.events.stream().filter(ev -> ev.seq() > afterSeq).limit(limit).toList();
  }

  @Override
  public synchronized long lastSeq(String runId) {
    Entry e = runs.get(runId);
    return e == null || e.events.isEmpty() ? 0 : e.events.getLast().seq();
  }

  @Override
  public synchronized boolean claim(
      String runId, String owner, Instant now, Instant leaseUntil, Predicate<String> ownerGone) {
    Entry e = runs.get(runId);
    if (e == null || e.run.status().finished()) {
      return false;
    }
    boolean free =
        e.owner.equals(owner)
            || e.run.status() == SwarmStatus.waiting_approval
            || e.leaseUntil < now.toEpochMilli()
            || ownerGone.test(e.owner);
    if (free) {
      e.owner = owner;
      e.leaseUntil = leaseUntil.toEpochMilli();
    }
    return free;
  }

  @Override
  public synchronized Set<String> renew(String owner, Instant leaseUntil) {
    Set<String> held = new HashSet<>();
    for (Entry e : runs.values()) {
      if (e.owner.equals(owner) && !e.run.status().finished()) {
        e.leaseUntil = leaseUntil.toEpochMilli();
        held.add(e.run.id());
      }
    }
    return held;
  }

  @Override
  public synchronized List<SwarmRun> orphaned(
      String self, Instant now, Predicate<String> ownerGone, int limit) {
    return runs.values().stream()
        .filter(e -> !e.run.status().finished() && !e.owner.equals(self))
        .filter(e -> e.leaseUntil < now.toEpochMilli() || ownerGone.test(e.owner))
        .map(e -> e.run)
        .sorted(Comparator.comparing(SwarmRun::createdAt))
        .limit(limit)
        .toList();
  }

  @Override
  public synchronized boolean requestCancel(String runId, String by) {
    Entry e = runs.get(runId);
    if (e == null || e.run.status().finished()) {
      return false;
    }
    e.cancelBy = by;
    return true;
  }

  @Override
  public synchronized Map<String, String> cancelRequests(String owner) {
    Map<String, String> out = new HashMap<>();
    for (Entry e : runs.values()) {
      if (e.owner.equals(owner) && !e.run.status().finished() && !e.cancelBy.isEmpty()) {
        out.put(e.run.id(), e.cancelBy);
      }
    }
    return out;
  }

  @Override
  public Optional<AutoCloseable> listen(Consumer<Change> listener) {
    return Optional.empty(); // one process: its engine sees its own writes
  }

  @Override
  public synchronized int purgeFinishedBefore(Instant before) {
    int purged = 0;
    for (Entry e : runs.values()) {
      if (e.run.finishedAt().isPresent()
          && e.run.finishedAt().get().isBefore(before)
          && !(e.steps.isEmpty() && e.events.isEmpty())) {
        e.steps.clear();
        e.events.clear();
        e.approvals.clear();
        purged++;
      }
    }
    return purged;
  }

  @Override
  public synchronized long recordBytes(String runId) {
    Entry e = runs.get(runId);
    if (e == null) {
      return 0;
    }
    long bytes = Json.text(e.run.input()).length() + Json.text(e.run.state()).length() + 100;
    for (StepRecord s : e.steps.values()) {
      bytes += s.key().length() + Json.text(s.output()).length() + s.error().length() + 60;
    }
    for (SwarmEvent ev : e.events) {
      bytes += ev.type().length() + ev.step().length() + Json.text(ev.data()).length() + 40;
    }
    return bytes;
  }
}
