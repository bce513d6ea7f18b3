package ai.sophia.cli;

import ai.sophia.ingest.IngestProgress;
import ai.sophia.research.ResearchProgress;
import java.io.PrintWriter;
import java.util.Objects;

/**
 * Research and ingest progress on stderr. On a terminal, one line redrawn in place with a bar for
 * countable stages ("fetching [##### ] 4/8"); otherwise (a pipe, a log file, a test) one line per
 * stage and per step, so nothing is lost to carriage returns.
 */
final class ProgressPrinter implements ResearchProgress, IngestProgress {
  private static final int BAR_WIDTH = 24;
  private static final int MAX_ITEM_CHARS = 60;

  private final PrintWriter err;
  private final boolean terminal;
  private String lastLine = "";
  private boolean redrawing;

  ProgressPrinter(PrintWriter err, boolean terminal) {
    this.err = Objects.requireNonNull(err, "err");
    this.terminal = terminal;
  }

  @Override
  public void update(String stage, int done, int total) {
    show(line(stage, done, total));
  }

  /** Ingest: pages done out of done plus queued, and the page or file at hand. */
  @Override
  public void update(int done, int queued, String current) {
    String item =
        current.length() <= MAX_ITEM_CHARS
            ? current
            : "…" + current.substring(current.length() - MAX_ITEM_CHARS + 1);
    show(line("ingesting", done, done + queued) + (item.isEmpty() ? "" : " " + item));
  }

  private synchronized void show(String line) {
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
