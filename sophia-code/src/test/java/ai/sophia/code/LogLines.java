package ai.sophia.code;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures every log line of the process (all levels) while open. */
final class LogLines implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final ch.qos.logback.classic.Level before;

  LogLines() {
    before = root.getLevel();
    root.setLevel(ch.qos.logback.classic.Level.ALL);
    appender.start();
    root.addAppender(appender);
  }

  /** Every line: level, logger, message, the messages of any exception. */
  List<String> lines() {
    return appender.list.stream()
        .map(
            e -> {
              StringBuilder line =
                  new StringBuilder(
                      e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
              for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
              }
              return line.toString();
            })
        .toList();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    root.setLevel(before);
  }
}
