package ai.sophia.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * The JSON log lines written while it is attached, encoded by the same encoder as Sophia's
 * logback.xml, from the root logger and the access log (which does not reach the root).
 */
final class LogLines extends AppenderBase<ILoggingEvent> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> LOGGERS = List.of(Logger.ROOT_LOGGER_NAME, "ai.sophia.access");

  private final LogstashEncoder encoder = new LogstashEncoder();
  private final List<String> lines = new ArrayList<>();

  static LogLines attach() {
    LogLines log = new LogLines();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    log.setContext(context);
    log.encoder.setContext(context);
    // The field names logback.xml gives.
    log.encoder.getFieldNames().setLogger("logger");
    log.encoder.getFieldNames().setThread("thread");
    log.encoder.getFieldNames().setTimestamp("timestamp");
    log.encoder.start();
    log.start();
    LOGGERS.forEach(name -> context.getLogger(name).addAppender(log));
    return log;
  }

  @Override
  protected synchronized void append(ILoggingEvent event) {
    lines.add(new String(encoder.encode(event), StandardCharsets.UTF_8));
  }

  /** Every line so far, as written. */
  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** Every line so far, parsed. */
  List<JsonNode> json() {
    List<JsonNode> out = new ArrayList<>();
    for (String line : lines()) {
      try {
        out.add(JSON.readTree(line));
      } catch (IOException e) {
        throw new UncheckedIOException("not a JSON log line: " + line, e);
      }
    }
    return out;
  }

  void detach() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LOGGERS.forEach(name -> context.getLogger(name).detachAppender(this));
    stop();
  }
}
