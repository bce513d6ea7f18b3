package ai.sophia.server.routes;

import ai.sophia.config.SophiaConfig;
import ai.sophia.error.ForbiddenException;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.ingest.IngestJobs;
import ai.sophia.ingest.Ingestor;
import ai.sophia.memory.Document;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.EventStream;
import ai.sophia.server.http.Guard;
import ai.sophia.server.http.RequestBodies;
import ai.sophia.server.http.RequestParams;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The knowledge the {@code local} engine searches, while the server runs: {@code POST
 * /api/v1/ingest} starts an ingest of a site or a server-side folder in the background (202, then
 * {@code GET /api/v1/ingest/{id}} and its event stream {@code /events}); {@code GET
 * /api/v1/memory/documents} pages through the ingested documents and {@code DELETE
 * /api/v1/memory/documents?url=} removes one. A server-side folder, and a crawl allowed to reach
 * private addresses, need an admin key: both reach what only the server's host should.
 */
public final class IngestRoutes {
  static final int MAX_TARGET_CHARS = 2_000;
  static final int MAX_PAGES = 100_000;
  static final int MAX_DEPTH = 100;
  private static final Pattern ID = Pattern.compile("ing_[0-9a-f]{32}");
  private static final Set<String> DOCUMENT_PARAMETERS = Set.of("after", "limit");

  private final IngestJobs jobs;
  private final Ingestor ingestor;
  private final SophiaConfig.Ingest defaults;
  private final RequestBodies bodies;
  private final ObjectMapper mapper;

  public IngestRoutes(
      IngestJobs jobs,
      Ingestor ingestor,
      SophiaConfig.Ingest defaults,
      RequestBodies bodies,
      ObjectMapper mapper) {
    this.jobs = Objects.requireNonNull(jobs, "jobs");
    this.ingestor = Objects.requireNonNull(ingestor, "ingestor");
    this.defaults = Objects.requireNonNull(defaults, "defaults");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/ingest", this::start, Access.DECIDE);
    routes.get("/api/v1/ingest", this::list, Access.READ);
    routes.get("/api/v1/ingest/{id}", this::one, Access.READ);
    routes.get("/api/v1/ingest/{id}/events", this::events, Access.READ);
    routes.get("/api/v1/memory/documents", this::documents, Access.READ);
    routes.delete("/api/v1/memory/documents", this::delete, Access.DECIDE);
  }

  /** The body of {@code POST /api/v1/ingest}: a URL or a path, and optional limits. */
  record Body(String url, String path, Integer maxPages, Integer maxDepth, Boolean allowPrivate) {}

  private void start(Context ctx) {
    Body body = bodies.read(ctx, Body.class);
    String target = target(body);
    boolean allowPrivate = Boolean.TRUE.equals(body.allowPrivate());
    if ((body.path() != null || allowPrivate) && !Guard.isAdmin(ctx)) {
      throw new ForbiddenException(
          body.path() != null
              ? "ingesting a server-side folder needs an admin key"
              : "allow_private (crawling private and loopback addresses) needs an admin key");
    }
    Ingestor.check(target);
    SophiaConfig.Ingest limits =
        new SophiaConfig.Ingest(
            bounded(body.maxPages(), "max_pages", defaults.maxPages(), 1, MAX_PAGES),
            bounded(body.maxDepth(), "max_depth", defaults.maxDepth(), 0, MAX_DEPTH),
            defaults.delayMsPerHost());
    IngestJobs.View job =
        jobs.start(
            new IngestJobs.Request(
                target, allowPrivate, limits, "API key " + Guard.keyId(ctx).orElse("?")));
    String self = "/api/v1/ingest/" + job.id();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("id", job.id());
    answer.put("status", job.status().name());
    answer.put("source", job.source());
    answer.put("links", Map.of("self", self, "events", self + "/events"));
    ctx.status(202).header("Location", self).json(answer);
  }

  private static String target(Body body) {
    if ((body.url() == null) == (body.path() == null)) {
      throw new InvalidInputException(
          body.url() == null ? "url" : "path",
          "give exactly one of url (a site to crawl) and path (a folder on the server)");
    }
    String field = body.url() != null ? "url" : "path";
    String target = (body.url() != null ? body.url() : body.path()).strip();
    if (target.isEmpty() || target.length() > MAX_TARGET_CHARS) {
      throw new InvalidInputException(
          field, field + " must be 1 to " + MAX_TARGET_CHARS + " characters");
    }
    boolean url = Ingestor.isUrl(target);
    if (field.equals("url") != url) {
      throw new InvalidInputException(
          field,
          field.equals("url")
              ? "url must start with http:// or https://"
              : "path must be a folder on the server, not a URL (use url)");
    }
    return target;
  }

  private static int bounded(Integer value, String field, int fallback, int min, int max) {
    if (value == null) {
      return fallback;
    }
    if (value < min || value > max) {
      throw new InvalidInputException(
          field, field + " is " + value + " but must be between " + min + " and " + max);
    }
    return value;
  }

  private void list(Context ctx) {
    RequestParams.allowOnly(ctx, Set.of());
    ctx.json(Map.of("ingests", jobs.recent()));
  }

  private void one(Context ctx) {
    String id = id(ctx);
    ctx.json(jobs.find(id).orElseThrow(() -> notFound(id)));
  }

  /** The job's events from the first (or after Last-Event-ID) to its {@code done}. */
  private void events(Context ctx) {
    String id = id(ctx);
    jobs.find(id).orElseThrow(() -> notFound(id));
    long after = EventStream.lastEventId(ctx);
    EventStream.stream(
        ctx,
        "ingest " + id,
        after,
        sink ->
            jobs.subscribe(
                id,
                0,
                e -> sink.accept(new EventStream.Frame(e.id(), e.name(), e.data(), e.last()))),
        mapper);
  }

  record DocumentView(
      String url, String title, String collection, Instant ingestedAt, int characters) {
    static DocumentView of(Document d) {
      return new DocumentView(d.url(), d.title(), d.collection(), d.fetchedAt(), d.text().length());
    }
  }

  private void documents(Context ctx) {
    RequestParams.allowOnly(ctx, DOCUMENT_PARAMETERS);
    String after = RequestParams.optionalText(ctx, "after", MAX_TARGET_CHARS);
    int limit = RequestParams.integer(ctx, "limit", 50, 1, 200);
    List<Document> page = ingestor.documents(after, limit);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("total", ingestor.count());
    answer.put("documents", page.stream().map(DocumentView::of).toList());
    answer.put("next_after", page.size() == limit ? page.getLast().url() : null);
    ctx.json(answer);
  }

  private void delete(Context ctx) {
    RequestParams.allowOnly(ctx, Set.of("url"));
    String url = RequestParams.text(ctx, "url", MAX_TARGET_CHARS);
    if (!ingestor.remove(url)) {
      throw new NotFoundException("no ingested document with url '" + url + "'");
    }
    ctx.status(204);
  }

  private static String id(Context ctx) {
    String id = ctx.pathParam("id");
    if (!ID.matcher(id).matches()) {
      throw notFound(id);
    }
    return id;
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException("no ingest job with id '" + id + "'");
  }
}
