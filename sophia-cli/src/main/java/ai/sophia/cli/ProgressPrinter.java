package ai.sophia.cli;

import ai.sophia.research.ResearchProgress;
import java.io.PrintWriter;
import java.util.Objects;

/**
 * Research progress on stderr. On a terminal, one line redrawn in place with a bar for countable
 * stages ("fetching [##### ] 4/8"); otherwise (a pipe, a log file, a test) one line per stage and
 * per step, so nothing is lost to carriage returns.
 */
final class ProgressPrinter implements ResearchProgress {
  private static final int BAR_WIDTH = 24;

  private final PrintWriter err;
  private final boolean terminal;
  private String lastLine = "";
  private boolean redrawing;

  ProgressPrinter(PrintWriter err, boolean terminal) {
    this.err = Objects.requireNonNull(err, "err");
    this.terminal = terminal;
  }

  @Override
  public synchronized void update(String stage, int done, int total) {
    String line = line(stage, done, total);
    if (line.equals(lastLine)) {
      return;
    }
    if (terminal) {
      String padding = " ".repeat(Math.max(0, lastLine.length() - line.length()));
      err.print("\r" + line + padding);
      redrawing = true;
    } else {
      err.println(line);
    }
    lastLine = line;
    err.flush();
  }

  /** Ends the progress display so that what follows starts on a clean line. */
  synchronized void finish() {
    if (redrawing) {
      err.println();
      err.flush();
      redrawing = false;
    }
  }

  static String line(String stage, int done, int total) {
    if (total <= 0) {
      return stage + "…";
    }
    int filled = (int) Math.round((double) Math.min(done, total) / total * BAR_WIDTH);
    return stage
        + " ["
        + "#".repeat(filled)
        + " ".repeat(BAR_WIDTH - filled)
        + "] "
        + done
        + "/"
        + total;
  }
}
