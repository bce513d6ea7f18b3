package ai.sophia.mcp;

import ai.sophia.agent.Agent;
import ai.sophia.agent.AgentEvent;
import ai.sophia.agent.AgentRequest;
import ai.sophia.agent.AgentResult;
import ai.sophia.agent.AgentRun;
import ai.sophia.agent.AgentRuntime;
import ai.sophia.agent.Approval;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.SophiaException;
import ai.sophia.model.RoutingModelGateway;
import ai.sophia.research.ResearchRequest;
import ai.sophia.research.ResearchRequests;
import ai.sophia.research.ResearchResult;
import ai.sophia.research.Researcher;
import ai.sophia.security.Role;
import ai.sophia.tool.Risk;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sophia's capabilities as MCP tools: {@code research}, {@code memory_search}, {@code agents_list}
 * and {@code ask_agent}, each with input and output schemas and structured results. A failure is a
 * tool result with {@code isError} and a message the caller can act on, never a protocol error;
 * only messages marked safe are shown, others become a generic one (and are logged).
 */
final class SophiaTools {
  private static final Logger log = LoggerFactory.getLogger(SophiaTools.class);

  /** The {@code _meta} key naming the least role a tool needs. */
  static final String ROLE_META = "ai.sophia/role";

  private final Researcher researcher;
  private final AgentRuntime agents;
  private final RoutingModelGateway models;
  private final String defaultEngine;
  private final Cancellations cancellations;

  SophiaTools(
      Researcher researcher,
      AgentRuntime agents,
      RoutingModelGateway models,
      String engine,
      Cancellations cancellations) {
    this.cancellations = cancellations;
    this.researcher = researcher;
    this.agents = agents;
    this.models = models;
    this.defaultEngine = engine;
  }

  List<SyncToolSpecification> specifications() {
    return List.of(
        tool(
            "research",
            Role.user,
            "Research a question on the web (or in ingested documents with search_engine 'local')"
                + " and answer with cited sources; the result is stored and readable later as"
                + " sophia://research/{id}. Needs role user.",
            "{'type':'object','properties':{"
                + "'query':{'type':'string','minLength':1,'maxLength':1000},"
                + "'sources_limit':{'type':'integer','minimum':1,'maximum':20,'default':3},"
                + "'search_engine':{'type':'string','enum':"
                + quoted(ResearchRequests.ENGINES)
                + "}},'required':['query'],'additionalProperties':false}",
            "{'type':'object','properties':{'id':{'type':'string'},'query':{'type':'string'},"
                + "'answer':{'type':['string','null']},'sources':{'type':'array'},"
                + "'citations':{'type':'array'},'metadata':{'type':'object'},"
                + "'research_quality_score':{'type':'number'}},'required':['id','query','sources']}",
            this::research),
        tool(
            "memory_search",
            Role.readonly,
            "Semantic search over everything Sophia has researched and ingested: passages with"
                + " their source URL and relevance.",
            "{'type':'object','properties':{"
                + "'query':{'type':'string','minLength':1,'maxLength':1000},"
                + "'limit':{'type':'integer','minimum':1,'maximum':50,'default':10}},"
                + "'required':['query'],'additionalProperties':false}",
            "{'type':'object','properties':{'query':{'type':'string'},'results':{'type':'array',"
                + "'items':{'type':'object','properties':{'url':{'type':'string'},"
                + "'title':{'type':'string'},'text':{'type':'string'},"
                + "'collection':{'type':'string'},'relevance_score':{'type':'number'}}}}},"
                + "'required':['query','results']}",
            this::memorySearch),
        tool(
            "agents_list",
            Role.readonly,
            "The agents of this Sophia: name, type, level, description, tools and health.",
            "{'type':'object','properties':{},'additionalProperties':false}",
            "{'type':'object','properties':{'agents':{'type':'array','items':{'type':'object',"
                + "'properties':{'name':{'type':'string'},'type':{'type':'string'},"
                + "'level':{'type':'integer'},'tools':{'type':'array'}}}}},'required':['agents']}",
            this::agentsList),
        tool(
            "ask_agent",
            Role.user,
            "Run an agent (see agents_list) on a question and return its answer. Its write and"
                + " deploy tool calls run only if 'authorize' lists that risk or a person approves"
                + " them (POST /api/v1/approvals/{id}); the result then says waiting_approval."
                + " Needs role user.",
            "{'type':'object','properties':{"
                + "'agent':{'type':'string','minLength':1,'maxLength':40},"
                + "'question':{'type':'string','minLength':1,'maxLength':8000},"
                + "'session_id':{'type':'string','maxLength':100},"
                + "'authorize':{'type':'array','items':{'type':'string','enum':['write','deploy']}}},"
                + "'required':['agent','question'],'additionalProperties':false}",
            "{'type':'object','properties':{'status':{'type':'string'},"
                + "'run_id':{'type':'string'},'agent':{'type':'string'},"
                + "'session_id':{'type':'string'},'mode':{'type':'string'},"
                + "'answer':{'type':'string'},'note':{'type':'string'},"
                + "'pending_approvals':{'type':'array'}},"
                + "'required':['status','run_id','agent','answer']}",
            this::askAgent));
  }

  private CallToolResult research(McpSyncServerExchange exchange, CallToolRequest call) {
    Caller caller = Caller.of(exchange.transportContext());
    Map<String, Object> args = arguments(call, Set.of("query", "sources_limit", "search_engine"));
    ResearchRequest request =
        ResearchRequests.validate(
                text(args, "query"),
                integer(args, "sources_limit"),
                (String) typed(args, "search_engine", String.class),
                defaultEngine)
            .withRequestedBy(caller.keyId());
    models.requireBudgetLeft(caller.keyId());
    Progress progress = Progress.of(exchange, call);
    Interruption interruption = new Interruption(Thread.currentThread());
    ResearchResult result;
    try (var registration = cancellations.register(call, interruption::interrupt)) {
      result =
          researcher.research(
              request, (stage, done, total) -> progress.send(stage + " " + done + "/" + total));
    } catch (RuntimeException e) {
      if (interruption.end()) {
        return failure("research: cancelled by the client");
      }
      throw e;
    } finally {
      interruption.end();
    }
    String confidence = result.metadata().confidence();
    String summary =
        (result.answer() == null ? "No answer: " + result.metadata().note() : result.answer())
            + (result.answer() != null && "low".equals(confidence)
                ? "\n\n" + result.metadata().note()
                : "")
            + String.format(
                java.util.Locale.ROOT,
                "%n%nQuality %.2f (%s confidence). Full result: sophia://research/",
                result.researchQualityScore(),
                confidence)
            + result.id();
    return ok(summary, Structured.map(result));
  }

  private CallToolResult memorySearch(McpSyncServerExchange exchange, CallToolRequest call) {
    Map<String, Object> args = arguments(call, Set.of("query", "limit"));
    String query = text(args, "query");
    if (query.length() > ResearchRequests.MAX_QUERY_CHARS) {
      throw new InvalidInputException("query", "query is longer than 1000 characters");
    }
    ResearchRequests.searchable("query", query);
    Integer limit = integer(args, "limit");
    int n = limit == null ? 10 : limit;
    if (n < 1 || n > 50) {
      throw new InvalidInputException("limit", "limit is " + n + " but must be between 1 and 50");
    }
    List<Researcher.MemoryHit> hits = researcher.searchMemory(query, n);
    StringBuilder text = new StringBuilder();
    int i = 1;
    for (Researcher.MemoryHit h : hits) {
      text.append('[').append(i++).append("] ").append(h.title()).append(" — ").append(h.url());
      text.append('\n');
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("query", query);
    out.put("results", hits.stream().map(Structured::map).toList());
    return ok(hits.isEmpty() ? "Nothing in memory matches." : text.toString().strip(), out);
  }

  private CallToolResult agentsList(McpSyncServerExchange exchange, CallToolRequest call) {
    arguments(call, Set.of());
    List<Map<String, Object>> list =
        agents.agents().list().stream().map(a -> Structured.map(a.describe())).toList();
    String names = String.join(", ", agents.agents().list().stream().map(Agent::name).toList());
    return ok("Agents: " + names, Map.of("agents", list));
  }

  private CallToolResult askAgent(McpSyncServerExchange exchange, CallToolRequest call) {
    Caller caller = Caller.of(exchange.transportContext());
    Map<String, Object> args =
        arguments(call, Set.of("agent", "question", "session_id", "authorize"));
    Agent agent = agents.agents().get(text(args, "agent"));
    String session = (String) typed(args, "session_id", String.class);
    Set<Risk> authorize = EnumSet.noneOf(Risk.class);
    if (typed(args, "authorize", List.class) instanceof List<?> risks) {
      for (Object r : risks) {
        authorize.add(Risk.authorizable(r instanceof String s ? s : null, "authorize"));
      }
    }
    AgentRequest request =
        AgentRequest.of(text(args, "question"))
            .withSession(session == null ? "" : session)
            .withAuthorize(authorize)
            .withApiKey(caller.keyId());
    models.requireBudgetLeft(caller.keyId());
    AgentRun run = agent.start(request);
    Progress progress = Progress.of(exchange, call);
    // Answer when the run ends, or as soon as it waits for a person, as the REST API does.
    AgentResult result;
    try (var registration = cancellations.register(call, run::cancel)) {
      result =
          run.awaitResultOrApproval(
                  event -> {
                    switch (event) {
                      case AgentEvent.ToolStarted t -> progress.send("calling " + t.tool());
                      case AgentEvent.ModelReplied m -> progress.send("model step " + m.step());
                      default -> {}
                    }
                  })
              .orElse(null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the agent ran", e);
    }
    List<Approval> pending =
        agents.approvals().forRun(run.id()).stream()
            .filter(a -> Approval.PENDING.equals(a.status()))
            .toList();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", result == null ? run.status().name() : result.status().name());
    out.put("run_id", run.id());
    out.put("agent", run.agent());
    out.put("session_id", run.sessionId());
    out.put("mode", run.mode());
    out.put("answer", result == null ? "" : result.answer());
    out.put(
        "note",
        result == null
            ? "waiting for a person to approve " + pending.size() + " tool call(s)"
            : result.note());
    out.put("pending_approvals", pending.stream().map(Structured::map).toList());
    String text =
        result == null
            ? "Run " + run.id() + " waits for approval of " + pending.size() + " tool call(s)."
            : result.answer().isEmpty()
                ? "Run ended " + result.status() + ": " + result.note()
                : result.answer();
    return ok(text + "\n\nRun: sophia://runs/" + run.id(), out);
  }

  /**
   * A tool that needs {@code role} (shown to clients in its {@code _meta} as {@value #ROLE_META}):
   * the handler may check more, but never less.
   */
  static SyncToolSpecification tool(
      String name,
      Role role,
      String description,
      String input,
      String output,
      BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> handler) {
    McpSchema.Tool tool =
        McpSchema.Tool.builder()
            .name(name)
            .description(description)
            .inputSchema(Structured.schema(input))
            .outputSchema(Structured.schema(output))
            .meta(Map.of(ROLE_META, role.name()))
            .build();
    return SyncToolSpecification.builder()
        .tool(tool)
        .callHandler((exchange, call) -> guarded(name, role, exchange, call, handler))
        .build();
  }

  private static CallToolResult guarded(
      String name,
      Role role,
      McpSyncServerExchange exchange,
      CallToolRequest call,
      BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> handler) {
    try {
      Caller.of(exchange.transportContext()).require(role, name);
      return handler.apply(exchange, call);
    } catch (InvalidInputException e) {
      return failure(name + ": " + e.getMessage());
    } catch (SophiaException e) {
      if (!e.safeMessage()) {
        log.warn("MCP tool {} failed: {}", name, e.getMessage());
      }
      return failure(name + ": " + (e.safeMessage() ? e.getMessage() : "failed; see the log"));
    } catch (RuntimeException e) {
      log.error("MCP tool {} failed", name, e);
      return failure(name + ": an internal error occurred; see Sophia's log");
    }
  }

  static CallToolResult ok(String text, Map<String, Object> structured) {
    return CallToolResult.builder()
        .addTextContent(text)
        .structuredContent(structured)
        .isError(false)
        .build();
  }

  static CallToolResult failure(String message) {
    return CallToolResult.builder().addTextContent(message).isError(true).build();
  }

  static Map<String, Object> arguments(CallToolRequest call, Set<String> allowed) {
    Map<String, Object> args = call.arguments() == null ? Map.of() : call.arguments();
    for (String key : args.keySet()) {
      if (!allowed.contains(key)) {
        throw new InvalidInputException(
            key, "unknown argument '" + key + "'; allowed: " + allowed.stream().sorted().toList());
      }
    }
    return args;
  }

  static String text(Map<String, Object> args, String name) {
    Object value = typed(args, name, String.class);
    if (value == null || ((String) value).isBlank()) {
      throw new InvalidInputException(name, name + " is required");
    }
    return ((String) value).strip();
  }

  private static Integer integer(Map<String, Object> args, String name) {
    Object value = args.get(name);
    if (value == null) {
      return null;
    }
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.intValue();
    }
    throw new InvalidInputException(name, name + " must be an integer");
  }

  private static Object typed(Map<String, Object> args, String name, Class<?> type) {
    Object value = args.get(name);
    if (value != null && !type.isInstance(value)) {
      throw new InvalidInputException(
          name, name + " must be a " + (type == List.class ? "list" : "string"));
    }
    return value;
  }

  private static String quoted(List<String> values) {
    return values.stream().map(v -> "'" + v + "'").toList().toString();
  }

  /**
   * Interrupts a worker thread at most once, and only while it still works on this call: the thread
   * goes back to the transport afterwards, and a late interrupt must not hit its next task.
   */
  private static final class Interruption {
    private final Thread worker;
    private boolean interrupted;
    private boolean ended;

    Interruption(Thread worker) {
      this.worker = worker;
    }

    synchronized void interrupt() {
      if (!ended && !interrupted) {
        interrupted = true;
        worker.interrupt();
      }
    }

    /** Ends the call on the worker thread; true when it was interrupted (the flag is cleared). */
    synchronized boolean end() {
      ended = true;
      if (interrupted) {
        Thread.interrupted();
      }
      return interrupted;
    }
  }

  /** Progress notifications for a call whose request carried a progress token. */
  record Progress(McpSyncServerExchange exchange, Object token, AtomicInteger count) {
    static Progress of(McpSyncServerExchange exchange, CallToolRequest call) {
      Object token = call.meta() == null ? null : call.meta().get("progressToken");
      return new Progress(exchange, token, new AtomicInteger());
    }

    void send(String message) {
      if (token == null) {
        return;
      }
      try {
        exchange.progressNotification(
            new McpSchema.ProgressNotification(
                token, (double) count.incrementAndGet(), null, message));
      } catch (RuntimeException e) {
        // The client may have gone; the work goes on and its result is stored.
        log.debug("progress notification not delivered: {}", e.getMessage());
      }
    }
  }
}
