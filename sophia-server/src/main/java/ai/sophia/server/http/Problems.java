package ai.sophia.server.http;

import ai.sophia.code.GitFailedException;
import ai.sophia.error.BudgetExceededException;
import ai.sophia.error.ConflictException;
import ai.sophia.error.ForbiddenException;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.error.RateLimitedException;
import ai.sophia.error.SophiaException;
import ai.sophia.error.UnauthorizedException;
import ai.sophia.error.UnavailableException;
import ai.sophia.search.SearchException;
import ai.sophia.web.FetchException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Turns every failure into an RFC 9457 problem+json response. Sophia's exceptions map by type;
 * Javalin's own (no route, wrong method) by status; anything else is a 500 whose message stays in
 * the server log — the client gets the request id to quote, never a stack trace or internals.
 */
public final class Problems {
  private static final Logger log = LoggerFactory.getLogger(Problems.class);

  private final ObjectMapper mapper;

  private Problems(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** Registers the handlers that render every exception, and every error, as problem+json. */
  public static void register(JavalinConfig config, ObjectMapper mapper) {
    Problems problems = new Problems(Objects.requireNonNull(mapper, "mapper"));
    config.routes.exception(HttpResponseException.class, problems::httpResponse);
    config.routes.exception(SophiaException.class, problems::sophia);
    config.routes.exception(Exception.class, problems::unexpected);
    config.router.javaLangErrorHandler(problems::error);
  }

  private void httpResponse(HttpResponseException e, Context ctx) {
    int status = e.getStatus();
    String detail =
        switch (status) {
          case 404 -> "no such resource: " + ctx.method() + " " + ctx.path();
          case 405 -> {
            String allowed = allowedMethods(e);
            if (!allowed.isEmpty()) {
              ctx.header("Allow", allowed);
            }
            yield ctx.method()
                + " is not allowed on "
                + ctx.path()
                + (allowed.isEmpty() ? "" : "; allowed: " + allowed);
          }
          default -> e.getMessage();
        };
    HttpStatus known = HttpStatus.forStatus(status);
    write(ctx, status, slug(known), known.getMessage(), detail, null);
  }

  private void sophia(SophiaException e, Context ctx) {
    switch (e) {
      case UnauthorizedException u -> ctx.header("WWW-Authenticate", "Bearer realm=\"sophia\"");
      case RateLimitedException r -> {
        long seconds = Math.max(1, (r.retryAfter().toMillis() + 999) / 1000);
        ctx.header("Retry-After", Long.toString(seconds));
      }
      default -> {}
    }
    write(ctx, problem(e, ctx));
  }

  /**
   * The problem detail a failure becomes, logged as the error handlers log it: what an event stream
   * sends as its last event when the work it streams fails after the 200 has gone out.
   */
  public static Object problemOf(Exception e, Context ctx) {
    return e instanceof SophiaException s ? problem(s, ctx) : unexpectedProblem(e, ctx);
  }

  private static Problem problem(SophiaException e, Context ctx) {
    return switch (e) {
      case InvalidInputException i ->
          problem(ctx, 400, "invalid-input", "Invalid input", i.getMessage(), i.field());
      case UnauthorizedException u ->
          problem(ctx, 401, "unauthorized", "Unauthorized", u.getMessage(), null);
      case ForbiddenException f ->
          problem(ctx, 403, "forbidden", "Forbidden", f.getMessage(), null);
      case NotFoundException n -> problem(ctx, 404, "not-found", "Not Found", n.getMessage(), null);
      case ConflictException c -> problem(ctx, 409, "conflict", "Conflict", c.getMessage(), null);
      case BudgetExceededException b ->
          problem(ctx, 402, "budget-exceeded", "Budget Exceeded", b.getMessage(), null);
      case RateLimitedException r ->
          problem(ctx, 429, "rate-limited", "Too Many Requests", r.getMessage(), null);
      case UnavailableException u ->
          problem(ctx, 503, "unavailable", "Service Unavailable", u.getMessage(), null);
      case SearchException s -> upstream(ctx, s);
      case FetchException f -> upstream(ctx, f);
      case GitFailedException g -> upstream(ctx, g);
      default -> {
        log.error("request failed", e);
        String detail = e.safeMessage() ? e.getMessage() : internalDetail(ctx);
        yield problem(ctx, 500, "internal", "Internal Server Error", detail, null);
      }
    };
  }

  private static Problem upstream(Context ctx, SophiaException e) {
    log.warn("upstream failure: {}", e.getMessage());
    return problem(ctx, 502, "upstream-failed", "Bad Gateway", e.getMessage(), null);
  }

  private void unexpected(Exception e, Context ctx) {
    write(ctx, unexpectedProblem(e, ctx));
  }

  private static Problem unexpectedProblem(Exception e, Context ctx) {
    log.error("request failed", e);
    return problem(ctx, 500, "internal", "Internal Server Error", internalDetail(ctx), null);
  }

  /** A {@link java.lang.Error} (a bug or an exhausted JVM) reaches here without a context. */
  private void error(HttpServletResponse response, Error error) {
    log.error("request failed with an error", error);
    String id = MDC.get(RequestIds.MDC_KEY);
    Problem problem =
        new Problem(
            Problem.type("internal"),
            "Internal Server Error",
            500,
            "Sophia failed to handle this request; quote request id " + id + " when reporting it",
            null,
            null,
            id);
    try {
      response.setStatus(500);
      response.setContentType(Problem.MEDIA_TYPE);
      response.getOutputStream().write(mapper.writeValueAsBytes(problem));
    } catch (IOException e) {
      log.warn("could not send the error response: {}", e.toString());
    }
  }

  private static String internalDetail(Context ctx) {
    return "Sophia failed to handle this request; quote request id "
        + RequestIds.current(ctx)
        + " when reporting it";
  }

  private static Problem problem(
      Context ctx, int status, String slug, String title, String detail, String field) {
    return new Problem(
        Problem.type(slug), title, status, detail, ctx.path(), field, RequestIds.current(ctx));
  }

  private void write(
      Context ctx, int status, String slug, String title, String detail, String field) {
    write(ctx, problem(ctx, status, slug, title, detail, field));
  }

  private void write(Context ctx, Problem problem) {
    int status = problem.status();
    byte[] body;
    try {
      body = mapper.writeValueAsBytes(problem);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a problem record must always serialize", e);
    }
    ctx.status(status).contentType(Problem.MEDIA_TYPE).result(body);
  }

  private static String slug(HttpStatus status) {
    return status.getMessage().toLowerCase(java.util.Locale.ROOT).replace(' ', '-');
  }

  private static String allowedMethods(HttpResponseException e) {
    // Javalin puts the route's methods under one detail entry, already comma-separated.
    return String.join(", ", e.getDetails().values()).replace("[", "").replace("]", "");
  }
}
