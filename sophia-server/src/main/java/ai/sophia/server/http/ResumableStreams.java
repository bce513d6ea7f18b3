package ai.sophia.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Design: resumable server-sent event streams at /mcp (Streamable HTTP, "Resumability and
 * Redelivery"), which the Java SDK 2.1.0 does not offer: its replay is always empty and it stamps
 * every event with the session id. So the gate does it around the SDK. When the SDK answers a
 * POSTed request with an SSE stream, the client first gets a priming event (an event id, a retry
 * field, empty data); every event the SDK then writes is kept in the stream's log under an id of
 * its own, "<stream>.<n>", and forwarded. A client that went away makes only the forwarding fail:
 * the SDK keeps writing into the log, so the call runs to its end and its response is kept. A GET
 * with Last-Event-ID naming a kept stream of the same key and session gets the events after that
 * id and then the stream live until its response. A stream is kept for KEEP after its response;
 * its log holds the last MAX_EVENTS events (the response is always among them). A stream the SDK
 * ends without a response (its session was deleted, the server stops) ends there too. Every
 * request gets a stream (the SDK answers each with SSE), so as a key opens one, its ended streams
 * beyond the newest MAX_ENDED are forgotten: memory stays bounded per key, and one key's many
 * calls never push out another key's streams.
 *
 * Invariants: an event is only ever sent on the stream it was written to; one key never resumes
 * another key's or another session's stream; at most one client connection follows a stream (a
 * newer resumption takes over from an older one).
 */

/** Resumable SSE streams for the requests POSTed to {@code /mcp}. */
final class ResumableStreams {
  /** What the priming event asks a client to wait before reconnecting. */
  static final Duration RETRY = Duration.ofSeconds(1);

  /** How long a stream can be resumed after its response was written. */
  static final Duration KEEP = Duration.ofMinutes(5);

  static final int MAX_EVENTS = 1000;

  /** How many ended streams one key keeps; a live stream is always kept. */
  static final int MAX_ENDED = 100;

  private static final Pattern EVENT_ID = Pattern.compile("([0-9a-f]{32})\\.([0-9]{1,9})");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, Stream> streams = new ConcurrentHashMap<>();
  private final ObjectMapper mapper;
  private final Clock clock;
  private volatile Instant swept;

  ResumableStreams(ObjectMapper mapper, Clock clock) {
    this.mapper = mapper;
    this.clock = clock;
    this.swept = clock.instant();
  }

  /**
   * The request and response the SDK handles a POSTed request with: an SSE answer becomes a
   * resumable stream of {@code scope} (the session of API key {@code key}) that ends with the
   * response to {@code id}.
   */
  Exchange record(
      String key,
      String scope,
      JsonNode id,
      HttpServletRequest request,
      HttpServletResponse response) {
    Recorder recorder = new Recorder(response, key, scope, id);
    return new Exchange(new StreamRequest(request, recorder::detached, recorder::done), recorder);
  }

  /** The request and response as the SDK sees them. */
  record Exchange(HttpServletRequest request, HttpServletResponse response) {}

  /**
   * Answers a GET whose {@code Last-Event-ID} names one of these streams: the events after it, then
   * the stream live until its response; 404 when the stream is unknown to {@code scope} or no
   * longer kept. Returns false, answering nothing, for an id of another kind (the SDK's own).
   */
  boolean resume(String scope, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String lastEventId = request.getHeader("Last-Event-ID");
    Matcher m = lastEventId == null ? null : EVENT_ID.matcher(lastEventId.strip());
    if (m == null || !m.matches()) {
      return false;
    }
    sweep();
    Stream stream = streams.get(m.group(1));
    if (stream == null || !stream.scope.equals(scope)) {
      JsonRpcErrors.write(
          response,
          new JsonRpcErrors.Fault(
              404,
              JsonRpcErrors.INVALID_REQUEST,
              "No stream to resume at event id '"
                  + lastEventId.strip()
                  + "': it ended more than "
                  + KEEP.toMinutes()
                  + " minutes ago, or it was not this session's",
              null));
      return true;
    }
    long after = Long.parseLong(m.group(2));
    if (stream.deliveredUpTo(after)) {
      response.setStatus(204); // the response was delivered: nothing is left to send
      return true;
    }
    response.setStatus(200);
    response.setContentType("text/event-stream");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-cache");
    AsyncContext async = request.startAsync();
    async.setTimeout(0);
    Sink sink = new Sink(response.getWriter(), async);
    async.addListener(sink);
    stream.follow(sink, after);
    return true;
  }

  private Stream open(String key, String scope) {
    sweep();
    byte[] token = new byte[16];
    RANDOM.nextBytes(token);
    Stream stream = new Stream(HexFormat.of().formatHex(token), key, scope);
    streams.put(stream.id, stream);
    trim(key);
    return stream;
  }

  /** Forgets {@code key}'s oldest ended streams beyond MAX_ENDED. */
  private void trim(String key) {
    List<Stream> ended =
        streams.values().stream()
            .filter(s -> s.key.equals(key) && s.endedAt() != null)
            .sorted(Comparator.comparing(Stream::endedAt))
            .toList();
    for (Stream s : ended.subList(0, Math.max(0, ended.size() - MAX_ENDED))) {
      streams.remove(s.id);
    }
  }

  /** Forgets the streams that ended longer than KEEP ago, at most every few seconds. */
  private void sweep() {
    Instant now = clock.instant();
    if (Duration.between(swept, now).toSeconds() < 5) {
      return;
    }
    swept = now;
    streams.values().removeIf(s -> s.endedBefore(now.minus(KEEP)));
  }

  /** One stream's log and the connection that follows it, if any. */
  private final class Stream {
    final String id;
    final String key;
    final String scope;
    private final ArrayDeque<String> log = new ArrayDeque<>();
    private long written; // events written so far; the n-th has id "<id>.<n>", the priming 0
    private Sink follower;
    private Instant ended;

    Stream(String id, String key, String scope) {
      this.id = id;
      this.key = key;
      this.scope = scope;
    }

    String priming() {
      return "id: " + id + ".0\nretry: " + RETRY.toMillis() + "\ndata: \n\n";
    }

    /** Keeps an event, with the SDK's id line replaced by this stream's, and forwards it. */
    synchronized void write(String sdkEvent, boolean last) {
      StringBuilder event = new StringBuilder("id: ").append(id).append('.').append(++written);
      for (String line : sdkEvent.split("\n")) {
        if (!line.isEmpty() && !line.startsWith("id:")) {
          event.append('\n').append(line);
        }
      }
      String text = event.append("\n\n").toString();
      log.addLast(text);
      if (log.size() > MAX_EVENTS) {
        log.removeFirst();
      }
      if (last) {
        ended = clock.instant();
      }
      if (follower != null && !follower.send(text, last)) {
        follower = null;
      }
    }

    /** Sends the kept events after {@code after}, then makes {@code sink} follow the stream. */
    synchronized void follow(Sink sink, long after) {
      if (follower != null) {
        follower.end(); // a newer connection takes over
      }
      follower = sink;
      long first = written - log.size() + 1;
      long n = first;
      StringBuilder replay = new StringBuilder();
      for (String event : log) {
        if (n++ > after) {
          replay.append(event);
        }
      }
      if (!sink.send(replay.toString(), ended != null)) {
        follower = null;
      }
    }

    /** Ends the stream where it is, when the SDK completed it without a response. */
    synchronized void end() {
      if (ended == null) {
        ended = clock.instant();
      }
      if (follower != null) {
        follower.end();
        follower = null;
      }
    }

    synchronized boolean deliveredUpTo(long after) {
      return ended != null && after >= written;
    }

    /** When the stream ended, once it has (it never changes after). */
    synchronized Instant endedAt() {
      return ended;
    }

    synchronized boolean endedBefore(Instant t) {
      return ended != null && ended.isBefore(t);
    }
  }

  /** A client connection that events are forwarded to. */
  private static class Sink implements AsyncListener {
    private final PrintWriter out;
    private final AsyncContext async; // null for the POST the SDK completes itself
    private boolean gone;

    Sink(PrintWriter out, AsyncContext async) {
      this.out = out;
      this.async = async;
    }

    /** Whether the client is still there after {@code text}; the last text ends a resumption. */
    synchronized boolean send(String text, boolean last) {
      if (gone) {
        return false;
      }
      if (!text.isEmpty()) {
        out.write(text);
        out.flush();
        if (out.checkError()) {
          end();
          return false;
        }
      }
      if (last) {
        end();
      }
      return true;
    }

    synchronized void end() {
      if (gone) {
        return;
      }
      gone = true;
      if (async != null) {
        try {
          async.complete();
        } catch (IllegalStateException e) {
          // already completed by the container after an error
        }
      }
    }

    @Override
    public void onComplete(AsyncEvent event) {
      gone = true;
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      end();
    }

    @Override
    public void onError(AsyncEvent event) {
      end();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {}
  }

  /**
   * The response the SDK writes to. Once it declares an SSE stream, its writer is a log: whole
   * events go to the stream, which forwards them to whoever follows it, at first this response.
   */
  private final class Recorder extends jakarta.servlet.http.HttpServletResponseWrapper {
    private final String key;
    private final String scope;
    private final JsonNode id;
    private boolean sse;
    private Stream stream;
    private PrintWriter writer;

    Recorder(HttpServletResponse response, String key, String scope, JsonNode id) {
      super(response);
      this.key = key;
      this.scope = scope;
      this.id = id;
    }

    @Override
    public void setContentType(String type) {
      super.setContentType(type);
      sse = type != null && type.startsWith("text/event-stream");
    }

    @Override
    public synchronized PrintWriter getWriter() throws IOException {
      if (!sse) {
        return super.getWriter();
      }
      if (writer == null) {
        stream = open(key, scope);
        Sink first = new Sink(super.getWriter(), null);
        first.send(stream.priming(), false);
        stream.follow(first, Long.MAX_VALUE);
        writer = new PrintWriter(new EventWriter(), false);
      }
      return writer;
    }

    /** Whether the stream outlives this connection, so the SDK must not hear of its loss. */
    synchronized boolean detached() {
      return stream != null;
    }

    /** The SDK completed its answer: a stream it left without a response ends now. */
    synchronized void done() {
      if (stream != null) {
        stream.end();
      }
    }

    /** Cuts what the SDK writes into events at the blank line that ends each. */
    private final class EventWriter extends java.io.Writer {
      private final StringBuilder pending = new StringBuilder();

      @Override
      public void write(char[] buf, int off, int len) {
        pending.append(buf, off, len);
        int end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
          String event = pending.substring(0, end + 1);
          pending.delete(0, end + 2);
          stream.write(event, answers(event));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    }

    /** Whether this event is the response to the request, the stream's last. */
    private boolean answers(String event) {
      for (String line : event.split("\n")) {
        if (line.startsWith("data:")) {
          try {
            JsonNode message = mapper.readTree(line.substring(5).strip());
            return message != null
                && !message.has("method")
                && id.equals(message.get("id"))
                && (message.has("result") || message.has("error"));
          } catch (IOException e) {
            return false;
          }
        }
      }
      return false;
    }
  }
}
