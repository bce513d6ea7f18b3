package ai.sophia.ingest;

import ai.sophia.config.SophiaConfig;
import ai.sophia.error.NotFoundException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests started over the API while the server runs: each is a job that runs in the background,
 * one at a time in the order started (embedding is CPU-bound, so two at once would only take longer
 * each), with numbered events (progress, then a last {@code done}) that a client can follow and
 * resume. The latest {@value #KEPT} jobs are kept in memory, so a restart forgets them; what they
 * ingested stays in the index.
 */
public final class IngestJobs implements AutoCloseable {
  static final int KEPT = 100;
  private static final long PROGRESS_EVERY_NANOS = 250_000_000L;
  private static final Logger log = LoggerFactory.getLogger(IngestJobs.class);

  /** Where a job is. */
  public enum Status {
    queued,
    running,
    succeeded,
    failed
  }

  /** What an ingest job was asked to do, as the API received it. */
  public record Request(
      String target, boolean allowPrivate, SophiaConfig.Ingest limits, String requestedBy) {
    public Request {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(limits, "limits");
      requestedBy = requestedBy == null ? "" : requestedBy;
    }
  }

  /** One event of a job: numbered from 1 without gaps; the last one is {@code done}. */
  public record Event(long id, String name, Map<String, Object> data, boolean last) {}

  /** A job as a client sees it at one moment. */
  public record View(
      String id,
      String source,
      Status status,
      int pagesRead,
      int pagesIndexed,
      int pagesUnchanged,
      int passages,
      List<IngestReport.Skipped> skipped,
      boolean complete,
      String error,
      String requestedBy,
      Instant createdAt,
      Instant startedAt,
      Instant finishedAt) {}

  private final Ingestor ingestor;
  private final Clock clock;
  private final ExecutorService worker;
  private final Map<String, Job> jobs = new LinkedHashMap<>();

  private IngestJobs(Ingestor ingestor, Clock clock) {
    this.ingestor = ingestor;
    this.clock = clock;
    this.worker = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("ingest").factory());
  }

  public static IngestJobs create(Ingestor ingestor, Clock clock) {
    return new IngestJobs(
        Objects.requireNonNull(ingestor, "ingestor"), Objects.requireNonNull(clock, "clock"));
  }

  /** Queues an ingest; it starts when the jobs before it have finished. */
  public View start(Request request) {
    Objects.requireNonNull(request, "request");
    Job job = new Job("ing_" + UUID.randomUUID().toString().replace("-", ""), request);
    synchronized (jobs) {
      jobs.put(job.id, job);
      while (jobs.size() > KEPT) {
        String oldest = jobs.keySet().iterator().next();
        if (jobs.get(oldest).status().compareTo(Status.running) <= 0) {
          break; // never forget a job that has not finished
        }
        jobs.remove(oldest);
      }
    }
    job.emit("progress", job.progress("queued", ""), false);
    worker.execute(job::run);
    return job.view();
  }

  public Optional<View> find(String id) {
    return job(id).map(Job::view);
  }

  /** The kept jobs, newest first. */
  public List<View> recent() {
    List<View> views = new ArrayList<>();
    synchronized (jobs) {
      jobs.values().forEach(j -> views.add(j.view()));
    }
    return views.reversed();
  }

  /**
   * Every event of the job after {@code after}, then each new one as it happens, until the returned
   * subscription is closed.
   *
   * @throws NotFoundException when there is no such job
   */
  public AutoCloseable subscribe(String id, long after, Consumer<Event> sink) {
    Job job =
        job(id).orElseThrow(() -> new NotFoundException("no ingest job with id '" + id + "'"));
    return job.subscribe(after, sink);
  }

  private Optional<Job> job(String id) {
    synchronized (jobs) {
      return Optional.ofNullable(jobs.get(id));
    }
  }

  /** Stops the running job (it ends failed) and drops the queued ones. */
  @Override
  public void close() {
    worker.shutdownNow();
  }

  private final class Job implements IngestProgress {
    private final String id;
    private final Request request;
    private final Instant createdAt = clock.instant();
    private final List<Event> events = new ArrayList<>();
    private final Deque<Consumer<Event>> sinks = new ArrayDeque<>();
    private Status status = Status.queued;
    private int pagesRead;
    private int queued;
    private int stored;
    private int unchanged;
    private int passages;
    private String current = "";
    private List<IngestReport.Skipped> skipped = List.of();
    private boolean complete;
    private String error = "";
    private Instant startedAt;
    private Instant finishedAt;
    private long lastProgress;

    Job(String id, Request request) {
      this.id = id;
      this.request = request;
    }

    void run() {
      synchronized (this) {
        status = Status.running;
        startedAt = clock.instant();
      }
      emit("progress", progress("reading", request.target()), false);
      try {
        Ingestor.Result result =
            ingestor.ingest(request.target(), request.allowPrivate(), request.limits(), this);
        synchronized (this) {
          pagesRead = result.report().pagesRead();
          stored = result.stored();
          unchanged = result.unchanged();
          passages = result.passages();
          skipped = result.report().skipped();
          complete = result.report().complete();
          status = pagesRead > 0 ? Status.succeeded : Status.failed;
          if (pagesRead == 0) {
            error = "nothing was ingested: " + result.report().whyNothingRead();
          }
        }
      } catch (RuntimeException e) {
        // Input errors are the client's (named in the message); anything else is logged here.
        if (!(e instanceof ai.sophia.error.InvalidInputException)) {
          log.warn("ingest {} of {} failed: {}", id, request.target(), e.toString());
        }
        synchronized (this) {
          status = Status.failed;
          error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
      }
      synchronized (this) {
        finishedAt = clock.instant();
      }
      log.info(
          "ingest {} of {} {}: {} pages read, {} indexed",
          id,
          request.target(),
          status,
          pagesRead,
          stored);
      emit("done", Map.of("job", view()), true);
    }

    @Override
    public void update(int done, int queued, String current) {
      synchronized (this) {
        this.pagesRead = done;
        this.queued = queued;
        this.current = current == null ? "" : current;
      }
      progressEvent();
    }

    @Override
    public void stored(int stored, int unchanged, int passages) {
      synchronized (this) {
        this.stored = stored;
        this.unchanged = unchanged;
        this.passages = passages;
      }
      progressEvent();
    }

    /** At most four progress events a second: a 5,000-page crawl need not keep 10,000. */
    private void progressEvent() {
      long now = System.nanoTime();
      synchronized (this) {
        if (now - lastProgress < PROGRESS_EVERY_NANOS) {
          return;
        }
        lastProgress = now;
      }
      emit("progress", progress("reading", current), false);
    }

    synchronized Map<String, Object> progress(String stage, String url) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("stage", stage);
      data.put("pages_read", pagesRead);
      data.put("pages_queued", queued);
      data.put("pages_indexed", stored);
      data.put("pages_unchanged", unchanged);
      data.put("passages", passages);
      data.put("url", url);
      return data;
    }

    synchronized Status status() {
      return status;
    }

    synchronized View view() {
      return new View(
          id,
          request.target(),
          status,
          pagesRead,
          stored,
          unchanged,
          passages,
          skipped,
          complete,
          error,
          request.requestedBy(),
          createdAt,
          startedAt,
          finishedAt);
    }

    void emit(String name, Map<String, Object> data, boolean last) {
      List<Consumer<Event>> targets;
      Event event;
      synchronized (this) {
        event = new Event(events.size() + 1L, name, data, last);
        events.add(event);
        targets = List.copyOf(sinks);
      }
      targets.forEach(sink -> sink.accept(event));
    }

    AutoCloseable subscribe(long after, Consumer<Event> sink) {
      synchronized (this) {
        // Under the lock, so that no event falls between the replay and the live ones.
        for (Event e : events) {
          if (e.id() > after) {
            sink.accept(e);
          }
        }
        sinks.add(sink);
      }
      return () -> {
        synchronized (this) {
          sinks.remove(sink);
        }
      };
    }
  }
}
