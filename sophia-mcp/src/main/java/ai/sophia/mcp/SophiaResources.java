package ai.sophia.mcp;

import ai.sophia.agent.AgentRunStore;
import ai.sophia.agent.AgentRuntime;
import ai.sophia.error.SophiaException;
import ai.sophia.research.Researcher;
import ai.sophia.security.Role;
import io.modelcontextprotocol.server.McpServerFeatures.SyncPromptSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceTemplateSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.GetPromptResult;
import io.modelcontextprotocol.spec.McpSchema.PromptArgument;
import io.modelcontextprotocol.spec.McpSchema.PromptMessage;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceRequest;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceResult;
import io.modelcontextprotocol.spec.McpSchema.ResourceTemplate;
import io.modelcontextprotocol.spec.McpSchema.TextResourceContents;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stored results as MCP resources, by URI: {@code sophia://research/{id}} (what {@code GET
 * /api/v1/research/{id}} returns) and {@code sophia://runs/{id}} (an agent run with its transcript;
 * a key reads its own runs, an admin every run). Plus prompts for common tasks.
 */
final class SophiaResources {
  static final String RESEARCH = "sophia://research/";
  static final String RUNS = "sophia://runs/";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");
  static final String JSON = "application/json";

  private final Researcher researcher;
  private final AgentRuntime agents;

  SophiaResources(Researcher researcher, AgentRuntime agents) {
    this.researcher = researcher;
    this.agents = agents;
  }

  List<SyncResourceTemplateSpecification> templates() {
    return List.of(
        new SyncResourceTemplateSpecification(
            new ResourceTemplate(
                RESEARCH + "{id}",
                "research",
                "A stored research result",
                "A research result: query, sources, cited answer, metadata and quality score",
                JSON,
                null),
            guarded(this::readResearch)),
        new SyncResourceTemplateSpecification(
            new ResourceTemplate(
                RUNS + "{id}",
                "run",
                "An agent run",
                "An agent run: agent, status, input, result and transcript",
                JSON,
                null),
            guarded(this::readRun)));
  }

  /** Sophia's own errors (a role too low) as JSON-RPC errors carrying their safe message. */
  static BiFunction<McpSyncServerExchange, ReadResourceRequest, ReadResourceResult> guarded(
      BiFunction<McpSyncServerExchange, ReadResourceRequest, ReadResourceResult> read) {
    return (exchange, request) -> {
      try {
        return read.apply(exchange, request);
      } catch (SophiaException e) {
        throw new McpError(
            new McpSchema.JSONRPCResponse.JSONRPCError(
                McpSchema.ErrorCodes.INVALID_REQUEST,
                e.safeMessage() ? e.getMessage() : "the resource could not be read",
                null));
      }
    };
  }

  private ReadResourceResult readResearch(McpSyncServerExchange exchange, ReadResourceRequest r) {
    Caller.of(exchange.transportContext()).require(Role.readonly, "reading research");
    String id = id(r.uri(), RESEARCH);
    Object result =
        researcher
            .find(id)
            .orElseThrow(() -> notFound(r.uri(), "no research result with id '" + id + "'"));
    return contents(r.uri(), result);
  }

  private ReadResourceResult readRun(McpSyncServerExchange exchange, ReadResourceRequest r) {
    Caller caller = Caller.of(exchange.transportContext());
    caller.require(Role.readonly, "reading runs");
    String id = id(r.uri(), RUNS);
    AgentRunStore.StoredRun run =
        agents
            .storedRun(id)
            .filter(s -> caller.role() == Role.admin || s.apiKeyId().equals(caller.keyId()))
            .orElseThrow(() -> notFound(r.uri(), "no run with id '" + id + "'"));
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("run_id", run.id());
    view.put("agent", run.agent());
    view.put("status", run.status().name());
    view.put("mode", run.mode());
    view.put("session_id", run.sessionId());
    view.put("input", run.input());
    view.put("result", run.output());
    view.put("transcript", parse(run.transcriptJson()));
    view.put("created_at", run.createdAt().toString());
    view.put("updated_at", run.updatedAt().toString());
    return contents(r.uri(), view);
  }

  List<SyncPromptSpecification> prompts() {
    return List.of(
        new SyncPromptSpecification(
            new McpSchema.Prompt(
                "research_question",
                "Research a question with Sophia and answer with cited sources",
                List.of(
                    new PromptArgument("question", "What to research", true),
                    new PromptArgument(
                        "engine", "Search engine, e.g. duckduckgo or local", false))),
            (exchange, request) -> {
              Map<String, Object> args =
                  request.arguments() == null ? Map.of() : request.arguments();
              Object engine = args.get("engine");
              return message(
                  "Research this question with Sophia's research tool"
                      + (engine == null ? "" : " (search_engine: " + engine + ")")
                      + ", then answer citing every claim's source as [n] with its URL: "
                      + required(args, "question"));
            }),
        new SyncPromptSpecification(
            new McpSchema.Prompt(
                "ask_agent",
                "Put a task to one of Sophia's agents",
                List.of(
                    new PromptArgument("agent", "The agent's name (see agents_list)", true),
                    new PromptArgument("task", "What the agent should do", true))),
            (exchange, request) -> {
              Map<String, Object> args =
                  request.arguments() == null ? Map.of() : request.arguments();
              return message(
                  "Use Sophia's ask_agent tool to ask the agent '"
                      + required(args, "agent")
                      + "': "
                      + required(args, "task")
                      + "\nReport its answer, and if it waits for an approval, say which tool call"
                      + " needs one.");
            }));
  }

  static GetPromptResult message(String text) {
    return new GetPromptResult(
        null, List.of(new PromptMessage(McpSchema.Role.USER, new McpSchema.TextContent(text))));
  }

  static String required(Map<String, Object> args, String name) {
    Object value = args.get(name);
    if (value == null || value.toString().isBlank()) {
      throw new McpError(
          new McpSchema.JSONRPCResponse.JSONRPCError(
              McpSchema.ErrorCodes.INVALID_PARAMS, "argument '" + name + "' is required", null));
    }
    return value.toString();
  }

  static String id(String uri, String prefix) {
    String id = uri.substring(prefix.length());
    Matcher m = ID.matcher(id);
    if (!m.matches()) {
      throw notFound(uri, "an id is 1 to 100 letters, digits, '-' or '_'");
    }
    return id;
  }

  static McpError notFound(String uri, String message) {
    return new McpError(
        new McpSchema.JSONRPCResponse.JSONRPCError(
            McpSchema.ErrorCodes.RESOURCE_NOT_FOUND, message, Map.of("uri", uri)));
  }

  static ReadResourceResult contents(String uri, Object value) {
    return new ReadResourceResult(
        List.of(new TextResourceContents(uri, JSON, Structured.text(value))));
  }

  private static Object parse(String json) {
    try {
      return json == null || json.isBlank()
          ? List.of()
          : Structured.JSON.readValue(json, Object.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return json;
    }
  }
}
