package ai.sophia.model;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event of the process while open, for assertions on what was logged (a secret
 * in no line, no unexpected warning).
 */
public final class LogCapture implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level before;

  private LogCapture(Level level) {
    before = root.getLevel();
    if (level != null) {
      root.setLevel(level);
    }
    appender.start();
    root.addAppender(appender);
  }

  /** Captures what the configured levels let through. */
  public static LogCapture start() {
    return new LogCapture(null);
  }

  /** Captures every level, debug and trace included, until closed. */
  public static LogCapture everything() {
    return new LogCapture(Level.ALL);
  }

  /** Every captured line: level, logger, formatted message and any exception's messages. */
  public List<String> lines() {
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

  /** Lines at WARN or above. */
  public List<String> warnings() {
    return appender.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage())
        .toList();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    root.setLevel(before);
  }
}
