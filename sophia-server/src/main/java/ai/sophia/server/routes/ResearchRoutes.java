package ai.sophia.server.routes;

import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.research.ResearchProgress;
import ai.sophia.research.ResearchRequest;
import ai.sophia.research.ResearchRequests;
import ai.sophia.research.ResearchResult;
import ai.sophia.research.Researcher;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.EventStream;
import ai.sophia.server.http.Guard;
import ai.sophia.server.http.Problems;
import ai.sophia.server.http.RequestBodies;
import ai.sophia.server.http.RequestParams;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Research over HTTP: {@code POST /api/v1/chat} runs a research request (validated completely
 * before the researcher is called), answering JSON, or its stages then the result as server-sent
 * events when the client accepts only {@code text/event-stream}; {@code GET /api/v1/research} lists
 * past research and {@code GET /api/v1/research/{id}} returns a stored result. Counts research in
 * flight, which /api/v1/system/stats reports as active agents.
 */
public final class ResearchRoutes {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

  private final Researcher researcher;
  private final RequestBodies bodies;
  private final ObjectMapper mapper;
  private final String defaultEngine;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Counter succeeded;
  private final Counter failed;
  private final Timer duration;

  public ResearchRoutes(
      Researcher researcher,
      RequestBodies bodies,
      ObjectMapper mapper,
      String defaultEngine,
      MeterRegistry registry) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.researcher = Objects.requireNonNull(researcher, "researcher");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
    this.defaultEngine = Objects.requireNonNull(defaultEngine, "defaultEngine");
    this.succeeded = requests(registry, "ok");
    this.failed = requests(registry, "error");
    this.duration =
        Timer.builder("sophia.research.duration")
            .description("Time from research request to answer")
            .register(registry);
    Gauge.builder("sophia.research.in_flight", inFlight, AtomicInteger::get)
        .description("Research requests running now")
        .register(registry);
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/chat", this::chat, Access.USE);
    routes.get("/api/v1/research", this::history, Access.READ);
    routes.get("/api/v1/research/{id}", this::find, Access.READ);
  }

  /** Research requests running right now. */
  public int inFlight() {
    return inFlight.get();
  }

  private void chat(Context ctx) {
    ResearchRequest request =
        bodies
            .read(ctx, ChatRequest.class)
            .validate(defaultEngine)
            .withRequestedBy(Guard.keyId(ctx).orElse(""));
    if (wantsEvents(ctx)) {
      stream(ctx, request);
    } else {
      ctx.json(research(request, ResearchProgress.none()));
    }
  }

  private ResearchResult research(ResearchRequest request, ResearchProgress progress) {
    inFlight.incrementAndGet();
    Timer.Sample sample = Timer.start();
    boolean ok = false;
    try {
      ResearchResult result = researcher.research(request, progress);
      ok = true;
      return result;
    } finally {
      inFlight.decrementAndGet();
      sample.stop(duration);
      (ok ? succeeded : failed).increment();
    }
  }

  /** A client that accepts only an event stream gets the stages as they happen. */
  private static boolean wantsEvents(Context ctx) {
    String accept = ctx.header("Accept");
    return accept != null
        && accept.contains("text/event-stream")
        && !accept.contains("application/json");
  }

  /**
   * Research as server-sent events: a {@code stage} event for each step (searching, fetching,
   * ranking, summarizing, with counts), then {@code result} with the same body a JSON answer has,
   * or {@code error} with a problem detail. A client that goes away interrupts the research.
   */
  private void stream(Context ctx, ResearchRequest request) {
    EventStream.stream(
        ctx,
        "research",
        0,
        sink -> {
          AtomicLong ids = new AtomicLong();
          Thread worker =
              Thread.ofVirtual()
                  .name("research-stream")
                  .start(
                      () -> {
                        try {
                          ResearchResult result =
                              research(
                                  request,
                                  (stage, done, total) ->
                                      sink.accept(
                                          new EventStream.Frame(
                                              ids.incrementAndGet(),
                                              "stage",
                                              Map.of("stage", stage, "done", done, "total", total),
                                              false)));
                          sink.accept(
                              new EventStream.Frame(ids.incrementAndGet(), "result", result, true));
                        } catch (RuntimeException e) {
                          sink.accept(
                              new EventStream.Frame(
                                  ids.incrementAndGet(),
                                  "error",
                                  Problems.problemOf(e, ctx),
                                  true));
                        }
                      });
          return worker::interrupt;
        },
        mapper);
  }

  /** {@code GET /api/v1/research?q=&limit=}: past research, newest first. */
  private void history(Context ctx) {
    RequestParams.allowOnly(ctx, Set.of("q", "limit"));
    String containing = RequestParams.optionalText(ctx, "q", ResearchRequests.MAX_QUERY_CHARS);
    int limit = RequestParams.integer(ctx, "limit", 20, 1, 100);
    ctx.json(Map.of("research", researcher.history(containing, limit)));
  }

  private void find(Context ctx) {
    String id = ctx.pathParam("id");
    if (!ID.matcher(id).matches()) {
      throw new InvalidInputException(
          "id", "a research id is 1 to 100 letters, digits, '-' or '_'");
    }
    ResearchResult result =
        researcher
            .find(id)
            .orElseThrow(() -> new NotFoundException("no research result with id '" + id + "'"));
    ctx.json(result);
  }

  private static Counter requests(MeterRegistry registry, String outcome) {
    return Counter.builder("sophia.research.requests")
        .description("Research requests answered, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }
}
