package ai.sophia.server.http;

import ai.sophia.error.InvalidInputException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent events for long work (agent runs, swarms, deployments): each frame carries its id, so
 * a client that reconnects with {@code Last-Event-ID} gets only what it missed; a comment every
 * {@value #HEARTBEAT_SECONDS} s keeps an idle stream open through proxies; the stream ends after
 * the frame marked last, or at once when the server drains ({@link Drain}). Blocking is fine:
 * handlers run on virtual threads.
 */
public final class EventStream {
  private static final Logger log = LoggerFactory.getLogger(EventStream.class);

  /** How often an idle event stream sends a comment, so proxies keep it open. */
  static final long HEARTBEAT_SECONDS = 15;

  /** Put in a stream's queue when its server drains. */
  private static final Frame CLOSING = new Frame(-1, "closing", "", true);

  /**
   * What a source hands its sink when it ends without a last frame (the run ended and its last
   * event is not to be had): the stream ends there, sending nothing more.
   */
  public static final Frame END = new Frame(-1, "end", "", true);

  /** What a stream ends with when its server drains: reconnect in a second. */
  static final String CLOSING_TEXT =
      ": server shutting down; reconnect with Last-Event-ID\nretry: 1000\n\n";

  private EventStream() {}

  /** One event: its id (increasing), its name, what is sent as JSON, and whether it is the end. */
  public record Frame(long id, String event, Object data, boolean last) {
    public Frame {
      Objects.requireNonNull(event, "event");
      Objects.requireNonNull(data, "data");
    }
  }

  /**
   * Where frames come from: every frame so far, then each new one, until the returned subscription
   * is closed. Frames must arrive in id order.
   */
  @FunctionalInterface
  public interface Source {
    AutoCloseable subscribe(Consumer<Frame> sink);
  }

  /**
   * The id after which a client wants events: its {@code Last-Event-ID} header, 0 without one. Read
   * it before {@link #stream} so that a bad header still gets a problem+json answer.
   *
   * @throws InvalidInputException when the header is not a non-negative number
   */
  public static long lastEventId(Context ctx) {
    String header = ctx.header("Last-Event-ID");
    if (header == null || header.isBlank()) {
      return 0;
    }
    try {
      long value = Long.parseLong(header.strip());
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw new InvalidInputException(
        "Last-Event-ID", "Last-Event-ID must be the number of the last event received");
  }

  /**
   * Streams the frames of {@code source} with an id above {@code after} until the last one, or
   * until the client goes away. {@code label} names the stream in its opening comment and in logs.
   */
  public static void stream(
      Context ctx, String label, long after, Source source, ObjectMapper mapper) {
    HttpServletResponse response = ctx.res();
    response.setStatus(200);
    response.setCharacterEncoding("UTF-8");
    response.setContentType("text/event-stream");
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("X-Accel-Buffering", "no");
    BlockingQueue<Frame> queue = new LinkedBlockingQueue<>();
    try (AutoCloseable subscription = source.subscribe(queue::add);
        AutoCloseable draining = Drain.of(ctx).onDrain(() -> queue.add(CLOSING))) {
      OutputStream out = response.getOutputStream();
      out.write((": " + label + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      while (true) {
        Frame frame = queue.poll(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        if (frame == CLOSING) {
          // The server stops: a clean end, and the client resumes on another node from its id.
          out.write(CLOSING_TEXT.getBytes(StandardCharsets.UTF_8));
          out.flush();
          return;
        }
        if (frame == END) {
          return;
        }
        if (frame == null) {
          out.write(": waiting\n\n".getBytes(StandardCharsets.UTF_8));
        } else if (frame.id() > after) {
          String text =
              "id: "
                  + frame.id()
                  + "\nevent: "
                  + frame.event()
                  + "\ndata: "
                  + json(mapper, frame.data())
                  + "\n\n";
          out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
        if (frame != null && frame.last()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.debug("event stream {} ended by the client: {}", label, e.toString());
    } catch (Exception e) {
      throw new IllegalStateException("event stream " + label + " failed", e);
    }
  }

  private static String json(ObjectMapper mapper, Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an event must always serialize", e);
    }
  }
}
