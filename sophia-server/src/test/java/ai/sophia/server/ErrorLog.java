package ai.sophia.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The ERROR lines logged while it is attached, from any logger: input alone must never cause one
 * (an ERROR is for an operator to act on).
 */
final class ErrorLog extends AppenderBase<ILoggingEvent> {
  private final List<String> lines = new ArrayList<>();

  static ErrorLog attach() {
    ErrorLog log = new ErrorLog();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    log.setContext(context);
    log.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(log);
    return log;
  }

  @Override
  protected synchronized void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
      lines.add(event.getLoggerName() + ": " + event.getFormattedMessage());
    }
  }

  /** The ERROR lines since the last call. */
  synchronized List<String> drain() {
    List<String> out = List.copyOf(lines);
    lines.clear();
    return out;
  }

  void detach() {
    ((LoggerContext) LoggerFactory.getILoggerFactory())
        .getLogger(Logger.ROOT_LOGGER_NAME)
        .detachAppender(this);
    stop();
  }
}
