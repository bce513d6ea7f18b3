package ai.sophia.server.http;

import io.javalin.http.Context;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when it is sane (at most 64
 * characters of {@code [A-Za-z0-9._-]}, so it cannot forge log lines), else a fresh UUID. The id is
 * echoed in the response, carried in problem bodies, and put in the logging MDC as {@code
 * request_id} for the request's whole duration.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  public static final String MDC_KEY = "request_id";
  private static final String ATTRIBUTE = "sophia.request_id";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private RequestIds() {}

  /** A before-handler for every request, matched or not. */
  public static void assign(Context ctx) {
    String offered = ctx.header(HEADER);
    String id = offered != null && SANE.matcher(offered).matches() ? offered : generate();
    ctx.attribute(ATTRIBUTE, id);
    ctx.header(HEADER, id);
    MDC.put(MDC_KEY, id);
  }

  /** The request's id; generated on the spot if the request never passed {@link #assign}. */
  public static String current(Context ctx) {
    String id = ctx.attribute(ATTRIBUTE);
    if (id == null) {
      assign(ctx);
      id = ctx.attribute(ATTRIBUTE);
    }
    return id;
  }

  /** Ends the request's logging context (called once the access log line is written). */
  static void clear() {
    MDC.remove(MDC_KEY);
  }

  /**
   * A random (version 4) UUID from the thread's own generator: an id must be unique, not secret,
   * and {@link UUID#randomUUID()} takes a lock on the shared SecureRandom with every request.
   */
  private static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }
}
