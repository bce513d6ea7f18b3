package ai.sophia.research;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.model.CallContext;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The extractive writer with the real ONNX embedding model, over passages of the manual. */
class ExtractiveAnswerWriterTest {
  private static final String STATEMENT_TIMEOUT =
      "statement_timeout (integer)\n\nAbort any statement that takes more than the specified amount"
          + " of time. If log_min_error_statement is set to ERROR or lower, the statement that"
          + " timed out will also be logged. If this value is specified without units, it is"
          + " taken as milliseconds. A value of zero (the default) disables the timeout.\n\nThe"
          + " timeout is measured from the time a command arrives at the server until it is"
          + " completed by the server.";
  private static final String CANCEL_BACKEND =
      "pg_cancel_backend ( pid integer ) → boolean\n\nCancels the current query of the session"
          + " whose backend process has the specified process ID. This is also allowed if the"
          + " calling role is a member of the role whose backend is being canceled or the calling"
          + " role has privileges of pg_signal_backend, however only superusers can cancel"
          + " superuser backends.";
  private static final String MATERIALIZED_WITH =
      "SELECT * FROM w AS w1 JOIN w AS w2 ON w1.key = w2.ref\nWHERE w2.key = 123;\n\nthe WITH"
          + " query will be materialized, producing a temporary copy of big_table that is then"
          + " joined with itself — without benefit of any index. This query will be executed much"
          + " more efficiently if written as\n\nWITH w AS NOT MATERIALIZED (\nSELECT * FROM"
          + " big_table";
  private static final String RELOAD_CONF =
      "pg_reload_conf () → boolean\n\nCauses all processes of the PostgreSQL server to reload"
          + " their configuration files. (This is initiated by sending a SIGHUP signal to the"
          + " postmaster process, which in turn sends SIGHUP to each of its children.) You can use"
          + " the pg_file_settings, pg_hba_file_rules and pg_ident_file_mappings views to check the"
          + " configuration files for possible errors, before reloading.";

  private final ExtractiveAnswerWriter writer =
      new ExtractiveAnswerWriter(
          LoopbackResearch.EMBEDDER, Caffeine.newBuilder().<String, float[]>build());

  private AnswerWriter.Written write(String query, List<AnswerWriter.SourceText> sources) {
    return writer.write(
        query, LoopbackResearch.EMBEDDER.embedQuery(query), sources, new CallContext("", "", ""));
  }

  private static AnswerWriter.SourceText source(int index, String... passages) {
    return new AnswerWriter.SourceText(
        index, "file:///manual/page" + index + ".html", "Page " + index, List.of(passages));
  }

  @Test
  void write_timeoutQuestion_quotesOneSourcesContiguousSentencesInSourceOrder() {
    List<AnswerWriter.SourceText> sources =
        List.of(
            source(1, STATEMENT_TIMEOUT),
            source(2, MATERIALIZED_WITH),
            source(3, RELOAD_CONF),
            source(4, CANCEL_BACKEND));

    AnswerWriter.Written written =
        write(
            "how can I make the server give up on any statement that runs longer than a few"
                + " seconds",
            sources);

    assertThat(written.claims()).hasSizeBetween(1, PassageScorer.MAX_WINDOW);
    assertThat(written.claims()).allSatisfy(c -> assertThat(c.sources()).containsExactly(1));
    String quoted =
        String.join(" ", written.claims().stream().map(AnswerWriter.Claim::text).toList());
    assertThat(STATEMENT_TIMEOUT.replaceAll("\\s+", " ")).contains(quoted);
    assertThat(written.claims().getFirst().text()).startsWith("Abort any statement");
  }

  private static double cosine(String query, String passage) {
    return Vectors.cosine(
        LoopbackResearch.EMBEDDER.embedQuery(query),
        LoopbackResearch.EMBEDDER.embedPassages(List.of(passage)).getFirst());
  }

  /**
   * A question is answered from the passage closest to it, whichever source holds it; keywords
   * follow the sources' order (the ranking), because a few words' embedding says little.
   */
  @Test
  void write_questionQuotesTheClosestPassage_keywordsQuoteTheFirstSource() {
    List<AnswerWriter.SourceText> sources =
        List.of(source(1, CANCEL_BACKEND), source(2, STATEMENT_TIMEOUT));
    String question = "how do I abort any statement that takes more than some amount of time";
    String keywords = "cancel statement timeout";
    // Both times the second source's passage is the closer one, and the first is close enough.
    assertThat(cosine(question, STATEMENT_TIMEOUT)).isGreaterThan(cosine(question, CANCEL_BACKEND));
    assertThat(cosine(keywords, STATEMENT_TIMEOUT)).isGreaterThan(cosine(keywords, CANCEL_BACKEND));
    assertThat(cosine(keywords, CANCEL_BACKEND))
        .isGreaterThanOrEqualTo(ExtractiveAnswerWriter.MIN_ANSWER_SCORE);

    assertThat(write(question, sources).claims())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.sources()).containsExactly(2));
    assertThat(write(keywords, sources).claims())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.sources()).containsExactly(1));
  }

  @Test
  void write_sameSentenceInTwoSources_noSentenceQuotedTwice() {
    List<AnswerWriter.SourceText> sources =
        List.of(
            source(1, STATEMENT_TIMEOUT),
            source(2, STATEMENT_TIMEOUT + "\n\n" + CANCEL_BACKEND),
            source(3, CANCEL_BACKEND));

    AnswerWriter.Written written = write("how do I stop a query that runs too long", sources);

    List<String> sentences = new ArrayList<>();
    written.claims().forEach(c -> sentences.add(c.text()));
    written.summaries().values().forEach(s -> sentences.addAll(Sentences.split(s)));
    assertThat(sentences).isNotEmpty().doesNotHaveDuplicates();
    assertThat(written.summaries()).containsOnlyKeys(1, 2, 3);
  }

  @Test
  void write_noPassageClose_abstainsWithSummariesButNoClaims() {
    List<AnswerWriter.SourceText> sources =
        List.of(source(1, STATEMENT_TIMEOUT), source(2, RELOAD_CONF));

    AnswerWriter.Written written = write("how long should I knead sourdough bread", sources);

    assertThat(written.claims()).isEmpty();
    assertThat(written.answer()).isEmpty();
    assertThat(written.summaries().values()).allSatisfy(s -> assertThat(s).isNotBlank());
  }
}
