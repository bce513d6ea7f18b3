package ai.sophia.tool;

import ai.sophia.error.SophiaException;
import ai.sophia.research.ResearchProgress;
import ai.sophia.research.ResearchRequest;
import ai.sophia.research.ResearchRequests;
import ai.sophia.research.ResearchResult;
import ai.sophia.research.Researcher;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Set;

/**
 * {@code research}: searches the web (or the ingested documents), reads the pages and answers with
 * numbered sources. Read risk.
 */
public final class ResearchTool implements Tool {
  public static final String NAME = "research";
  private static final Set<String> FIELDS = Set.of("query", "sources_limit", "search_engine");
  private static final JsonNode SCHEMA =
      Arguments.schema(
          new String[][] {
            {"query", "string", "the question to research"},
            {"sources_limit", "integer", "how many sources to cite, 1 to 20 (default 3)"},
            {"search_engine", "string", "one of " + ResearchRequests.ENGINES + " (optional)"}
          },
          "query");

  private final Researcher researcher;
  private final String defaultEngine;

  private ResearchTool(Researcher researcher, String defaultEngine) {
    this.researcher = Objects.requireNonNull(researcher, "researcher");
    this.defaultEngine = Objects.requireNonNull(defaultEngine, "defaultEngine");
  }

  /** A research tool that searches {@code defaultEngine} unless the call names another. */
  public static ResearchTool create(Researcher researcher, String defaultEngine) {
    return new ResearchTool(researcher, defaultEngine);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Research a question on the web (or the ingested documents); returns an answer whose"
        + " sentences cite numbered sources, and the sources.";
  }

  @Override
  public JsonNode parameters() {
    return SCHEMA;
  }

  @Override
  public Risk risk() {
    return Risk.read;
  }

  @Override
  public ToolOutput invoke(JsonNode arguments, ToolContext context) {
    ResearchRequest request;
    try {
      Arguments.onlyFields(arguments, FIELDS);
      String query = Arguments.requiredText(arguments, "query", ResearchRequests.MAX_QUERY_CHARS);
      int sources =
          Arguments.optionalInt(
              arguments,
              "sources_limit",
              ResearchRequests.DEFAULT_SOURCES,
              ResearchRequests.MIN_SOURCES,
              ResearchRequests.MAX_SOURCES);
      JsonNode engine = arguments.get("search_engine");
      if (engine != null && !engine.isNull() && !engine.isTextual()) {
        throw new Arguments.Bad("'search_engine' must be a string");
      }
      request =
          ResearchRequests.validate(
              query, sources, engine == null ? null : engine.asText(null), defaultEngine);
    } catch (Arguments.Bad e) {
      return new ToolOutput.Failure("research: " + e.getMessage());
    } catch (SophiaException e) {
      return new ToolOutput.Failure("research: " + e.getMessage());
    }
    // The research's own model call is paid by the key the agent runs for, and counted as its.
    return format(
        researcher.research(
            request.forAgent(context.apiKeyId(), context.agent()), ResearchProgress.none()));
  }

  /** The answer, then one line per source: {@code [n] title — url}. */
  static ToolOutput format(ResearchResult r) {
    if (r.answer() == null) {
      String note = r.metadata().note() == null ? "" : r.metadata().note();
      return new ToolOutput.Success(("No answer. " + note).strip());
    }
    StringBuilder text = new StringBuilder(r.answer()).append("\n\nSources:\n");
    for (ResearchResult.Source s : r.sources()) {
      text.append('[')
          .append(s.index())
          .append("] ")
          .append(s.title())
          .append(" — ")
          .append(s.url())
          .append('\n');
    }
    return new ToolOutput.Success(text.toString().strip());
  }
}
