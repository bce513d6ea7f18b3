package ai.sophia.tool;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Set;

/**
 * {@code ask_agent}: delegates a question to another agent and returns its answer. The delegated
 * run is an ordinary run of that agent, so its own tools and approval gates apply; it runs one
 * level deeper, and beyond {@link #MAX_DEPTH} levels the call is refused, so agents cannot ask each
 * other forever. Read risk (the delegate gates its own risky tools).
 */
public final class AskAgentTool implements Tool {
  public static final String NAME = "ask_agent";
  public static final int MAX_DEPTH = 2;
  private static final Set<String> FIELDS = Set.of("agent", "question");
  private static final JsonNode SCHEMA =
      Arguments.schema(
          new String[][] {
            {"agent", "string", "the name of the agent to ask, e.g. research or analysis"},
            {"question", "string", "what to ask it"}
          },
          "agent",
          "question");

  /** Runs a question on another agent, one level deeper than {@code caller}. */
  @FunctionalInterface
  public interface Delegate {
    ToolOutput ask(String agent, String question, ToolContext caller);
  }

  private final Delegate delegate;

  private AskAgentTool(Delegate delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  public static AskAgentTool create(Delegate delegate) {
    return new AskAgentTool(delegate);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Ask another agent (research, analysis, …) a question and get its answer.";
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
    String agent;
    String question;
    try {
      Arguments.onlyFields(arguments, FIELDS);
      agent = Arguments.requiredText(arguments, "agent", 40);
      question = Arguments.requiredText(arguments, "question", 4000);
    } catch (Arguments.Bad e) {
      return new ToolOutput.Failure("ask_agent: " + e.getMessage());
    }
    if (context.depth() >= MAX_DEPTH) {
      return new ToolOutput.Failure(
          "ask_agent: delegation is limited to "
              + MAX_DEPTH
              + " levels; answer with what you have instead of asking "
              + agent);
    }
    return delegate.ask(agent, question, context);
  }
}
