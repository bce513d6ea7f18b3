package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressPrinterTest {
  @Test
  void update_notATerminal_oneLinePerChangeNoCarriageReturns() {
    StringWriter err = new StringWriter();
    ProgressPrinter progress = new ProgressPrinter(new PrintWriter(err), false);

    progress.update("searching", 0, 0);
    progress.update("fetching", 1, 4);
    progress.update("fetching", 1, 4);
    progress.update("fetching", 4, 4);
    progress.update("ranking", 0, 0);
    progress.finish();

    assertThat(err.toString())
        .isEqualTo(
            "searching…\n"
                + "fetching [######                  ] 1/4\n"
                + "fetching [########################] 4/4\n"
                + "ranking…\n")
        .doesNotContain("\r");
  }

  @Test
  void update_terminal_redrawsOneLineAndFinishEndsIt() {
    StringWriter err = new StringWriter();
    ProgressPrinter progress = new ProgressPrinter(new PrintWriter(err), true);

    progress.update("fetching", 2, 8);
    progress.update("ranking", 0, 0);
    progress.finish();

    String shortLine = "ranking…";
    String longLine = "fetching [######                  ] 2/8";
    assertThat(err.toString())
        .isEqualTo(
            "\r"
                + longLine
                + "\r"
                + shortLine
                + " ".repeat(longLine.length() - shortLine.length())
                + "\n");
  }
}
