package ai.sophia.agent;

import ai.sophia.config.SophiaConfig;
import ai.sophia.embedding.Embedder;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.health.HealthCheck;
import ai.sophia.memory.Database;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.EventFeed;
import ai.sophia.memory.EventFeeds;
import ai.sophia.memory.OperationsStore;
import ai.sophia.memory.Owners;
import ai.sophia.model.ModelGateway;
import ai.sophia.model.ModelUnavailableException;
import ai.sophia.research.Researcher;
import ai.sophia.tool.AskAgentTool;
import ai.sophia.tool.MemorySearchTool;
import ai.sophia.tool.ResearchTool;
import ai.sophia.tool.Tool;
import ai.sophia.tool.ToolContext;
import ai.sophia.tool.ToolOutput;
import ai.sophia.tool.ToolRegistry;
import ai.sophia.tracing.TraceSpan;
import ai.sophia.tracing.Traces;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything agents share, created once: the model gateway, the tools, the stores, the approval
 * desk and the agents themselves. The composition root builds one with {@link #builder()}; the HTTP
 * layer and the CLI reach agents through {@link #agents()}, runs through {@link #run} and {@link
 * #storedRun}, and approvals through {@link #approvals()}.
 */
public final class AgentRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);
  private static final int KEEP_FINISHED = 256;

  private final SophiaConfig.Agents limits;
  private final ModelGateway gateway;
  private final ToolRegistry tools;
  private final Approvals approvals;
  private final SessionStore sessions;
  private final AgentRunStore runStore;
  private final EventJournal journal;
  private final EventFeeds<RunEvent> feeds = new EventFeeds<>();
  private final Optional<AutoCloseable> listening;
  private final RunRecorder recorder;
  private final ContextBuilder contexts;
  private final AgentRunner runner;
  private final OfflineAgents offline;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private final Map<String, AgentRun> runs = new ConcurrentHashMap<>();
  private final String owner;
  private final Duration lease;
  private final Clock clock;
  private volatile RunKeeper keeper;
  private final java.util.Deque<String> finished =
      new java.util.concurrent.ConcurrentLinkedDeque<>();
  private final AgentRegistry agents;

  private AgentRuntime(Builder b) {
    this.limits = Objects.requireNonNull(b.limits, "agents config");
    this.gateway = Objects.requireNonNull(b.gateway, "gateway");
    Objects.requireNonNull(b.database, "database");
    Clock clock = b.clock;
    this.clock = clock;
    this.lease = b.lease;
    this.owner = Owners.register(b.nodeName);
    AgentMemory memory =
        new AgentMemory(
            Objects.requireNonNull(b.index, "index"),
            Objects.requireNonNull(b.embedder, "embedder"));
    List<Tool> all = new ArrayList<>();
    all.add(
        ResearchTool.create(Objects.requireNonNull(b.researcher, "researcher"), b.defaultEngine));
    all.add(MemorySearchTool.create(b.index, b.embedder));
    all.add(AskAgentTool.create(this::delegate));
    all.addAll(b.extraTools);
    this.tools = ToolRegistry.of(all);
    this.approvals = new Approvals(new SqlApprovalStore(b.database), clock);
    this.sessions = new SqlSessionStore(b.database, clock);
    this.runStore = new SqlAgentRunStore(b.database);
    this.journal = new EventJournal(runStore, owner);
    this.listening = runStore.listenEvents(this::storedElsewhere);
    this.recorder =
        new RunRecorder(
            runStore,
            journal,
            Objects.requireNonNull(b.operations, "operations"),
            sessions,
            memory,
            clock,
            owner,
            lease);
    this.contexts = new ContextBuilder(sessions, memory, limits.memoryTokenBudget());
    this.runner = new AgentRunner(this);
    this.offline = new OfflineAgents(runner);
    Map<String, Agent> byName = new LinkedHashMap<>();
    AgentDefinitions.resolve(limits.definitions(), java.util.Set.copyOf(tools.names()))
        .forEach((name, def) -> byName.put(name, new Agent(def, this)));
    this.agents = new AgentRegistry(java.util.Collections.unmodifiableMap(byName));
  }

  public static Builder builder() {
    return new Builder();
  }

  public AgentRegistry agents() {
    return agents;
  }

  public ToolRegistry tools() {
    return tools;
  }

  public Approvals approvals() {
    return approvals;
  }

  public SessionStore sessions() {
    return sessions;
  }

  /** An agent of this definition sharing this runtime; as cheap as an allocation. */
  public Agent agent(AgentDefinition definition) {
    return new Agent(Objects.requireNonNull(definition, "definition"), this);
  }

  /** A run in progress or finished recently, by id. */
  public Optional<AgentRun> run(String runId) {
    return Optional.ofNullable(runs.get(runId));
  }

  /** Any run ever stored, by id, with its transcript as JSON. */
  public Optional<AgentRunStore.StoredRun> storedRun(String runId) {
    return runStore.find(runId);
  }

  /**
   * Delivers the run's events with a seq above {@code afterSeq}, in order, then each new one, until
   * its last or until closed, wherever the run executes: from memory while it runs here (the events
   * before this node took it over from the store first), else from the store, read again when
   * another node says it wrote some (PostgreSQL) or every {@link #POLL} otherwise. {@code onEnd}
   * runs when the events end without a last one (a finished run whose last event was never stored:
   * its node died in between).
   *
   * @throws NotFoundException when no run of that id is known
   */
  public AutoCloseable subscribe(
      String runId, long afterSeq, Consumer<RunEvent> listener, Runnable onEnd) {
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(onEnd, "onEnd");
    AgentRun live = runs.get(runId);
    if (live != null && live.handedOver().isEmpty()) {
      long delivered = afterSeq;
      while (delivered < live.firstSeq()) { // taken over: the other node's events are stored
        List<AgentRunStore.StoredEvent> page = runStore.events(runId, delivered, 1000);
        for (AgentRunStore.StoredEvent e : page) {
          if (e.seq() <= live.firstSeq()) {
            listener.accept(EventJournal.read(e));
            delivered = e.seq();
          }
        }
        if (page.size() < 1000) {
          break;
        }
      }
      return live.subscribe(Math.max(afterSeq, live.firstSeq()), listener);
    }
    if (live == null && runStore.find(runId).isEmpty()) {
      throw new NotFoundException("no agent run with id '" + runId + "'");
    }
    Duration every = listening.isPresent() ? POLL_NOTIFIED : POLL;
    EventFeed<RunEvent> feed =
        new EventFeed<>("agent-run-follower", storedLog(runId), listener, afterSeq, every);
    feeds.add(runId, feed);
    feed.onEnd(onEnd);
    feed.start();
    return feed;
  }

  /**
   * How often a follower of a run of another process looks at the store, without or with NOTIFY.
   */
  private static final Duration POLL = Duration.ofMillis(200);

  private static final Duration POLL_NOTIFIED = Duration.ofSeconds(2);

  private EventFeed.Log<RunEvent> storedLog(String runId) {
    return new EventFeed.Log<>(
        (seq, limit) ->
            runStore.events(runId, seq, limit).stream().map(EventJournal::read).toList(),
        () -> runStore.find(runId).map(r -> r.status().finished()).orElse(true),
        RunEvent::seq,
        RunEvent::last);
  }

  /** Another process stored events of {@code runId} ("": some may have been missed). */
  private void storedElsewhere(String runId) {
    if (runId.isEmpty()) {
      feeds.wakeAll();
    } else if (!runs.containsKey(runId)) { // a run of this node's: its followers have them
      feeds.wake(runId);
    }
  }

  /** The highest stored event seq of the run; 0 when none is stored (or they were purged). */
  public long storedEvents(String runId) {
    return runStore.lastSeq(runId);
  }

  /**
   * Deletes the stored events of runs finished more than {@code retention} ago (their transcripts
   * stay); returns how many runs had some.
   */
  public int purgeEvents(Duration retention) {
    return runStore.purgeEventsFinishedBefore(clock.instant().minus(retention));
  }

  /** Stored runs, newest first, at most {@code limit}. */
  public List<AgentRunStore.StoredRun> recentRuns(int limit) {
    return runStore.recent(limit);
  }

  /** Runs in progress. */
  public List<AgentRun> activeRuns() {
    return runs.values().stream().filter(r -> !r.status().finished()).toList();
  }

  /**
   * Asks the run to stop, wherever it runs: here at once, on another node (or this one after a
   * restart) at that node's next lease round. False when there is no unfinished run of that id.
   */
  public boolean cancel(String runId, String by) {
    AgentRun live = runs.get(runId);
    if (live != null && live.handedOver().isEmpty()) {
      if (live.status().finished()) {
        return false;
      }
      live.cancel();
      return true;
    }
    return runStore.requestCancel(runId, by);
  }

  /**
   * From now on, keeps leases on this runtime's runs and takes over the unfinished runs whose lease
   * expired or whose process is gone — those a crash or a stop left, and other nodes' — going on
   * from their transcripts. Only a serving Sophia does this: a CLI command beside it must not run
   * the same runs a second time.
   */
  public void keepRuns() {
    if (keeper == null) {
      keeper = new RunKeeper(this, runStore, lease);
    }
  }

  /** One non-critical check per agent. */
  public List<HealthCheck> healthChecks() {
    return agents.list().stream().map(Agent::healthCheck).toList();
  }

  /**
   * Stops. A serving runtime hands its unfinished runs over (they stop at their next boundary,
   * record nothing more, and their leases end, so another node, or this one restarted, goes on with
   * them at once); a CLI one cancels them, as nobody would go on with them.
   */
  @Override
  public void close() {
    RunKeeper keeping = keeper;
    if (keeping != null) {
      keeping.close();
      runs.values().forEach(run -> run.handOver("this node is shutting down"));
    } else {
      runs.values().forEach(AgentRun::cancel);
    }
    // Stopped runs reach their next boundary and record how they ended; give them a moment
    // before the stores they write to are closed under them.
    long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
    for (AgentRun run : List.copyOf(runs.values())) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          run.await(Duration.ofNanos(left));
        } catch (IllegalStateException handedOver) {
          // ended here without a result: it goes on elsewhere
        }
      }
    }
    journal.flush(); // the events of runs handed over, stored before another node takes them
    if (keeping != null) {
      try {
        runStore.release(owner);
      } catch (RuntimeException e) {
        log.warn(
            "releasing the agent runs' leases failed (they expire by themselves): {}",
            e.getMessage());
      }
    }
    journal.close();
    EventFeeds.stopListening(listening);
    Owners.release(owner);
    executor.shutdown();
    approvals.close();
  }

  String owner() {
    return owner;
  }

  Clock clock() {
    return clock;
  }

  ModelGateway gateway() {
    return gateway;
  }

  SophiaConfig.Agents limits() {
    return limits;
  }

  ExecutorService executor() {
    return executor;
  }

  RunRecorder recorder() {
    return recorder;
  }

  AgentRun start(Agent agent, AgentRequest request) {
    AgentDefinition def = agent.definition();
    if (!request.sessionId().isEmpty()) {
      SessionStore.Session s =
          sessions
              .find(request.sessionId())
              .filter(found -> found.apiKeyId().equals(request.apiKeyId()))
              // Another key's session is not shown to exist: its history is that key's own.
              .orElseThrow(() -> new NotFoundException("no session " + request.sessionId()));
      if (!s.agent().equals(def.name())) {
        throw new InvalidInputException(
            "session_id", "session " + s.id() + " belongs to agent " + s.agent());
      }
    }
    boolean model = gateway.available(def.modelPolicy().orElseGet(gateway::defaultPolicy));
    AgentRun run =
        new AgentRun(
            Ids.next("run"),
            def.name(),
            request,
            model ? AgentResult.MODE_MODEL : AgentResult.MODE_OFFLINE,
            Duration.ofMillis(limits.timeoutMs()),
            Traces.traceId());
    // Stored before the caller hears of the run (the API's 202): a node that dies a moment later
    // leaves a row another node resumes, never an accepted run that no store knows.
    run.sessionId(
        request.sessionId().isEmpty()
            ? sessions.create(def.name(), request.apiKeyId()).id()
            : request.sessionId());
    run.journal(0, e -> journal.append(run.id(), e));
    recorder.saveProgress(run);
    runs.put(run.id(), run);
    // The run's own thread continues the caller's trace.
    Thread.ofVirtual().name("agent-" + run.id()).start(Traces.wrap(() -> traced(def, run, false)));
    return run;
  }

  /**
   * Goes on with a stored run this runtime has just claimed, from its transcript: where the model
   * loop stopped, waiting again for the approval it waited for. A delegated run (asked by another
   * agent) ends failed instead: its parent, resumed, asks again.
   */
  void resume(AgentRunStore.StoredRun stored) {
    AgentRun run;
    Optional<Agent> agent = agents.find(stored.agent());
    try {
      run =
          new AgentRun(
              stored.id(),
              stored.agent(),
              RunRecorder.request(stored),
              stored.mode(),
              stored.createdAt(),
              Duration.ofMillis(limits.timeoutMs()),
              RunRecorder.transcript(stored),
              stored.traceId()); // the trace it began in, not the sweeper's
    } catch (RuntimeException e) {
      log.warn("agent run {} cannot be taken over: {}", stored.id(), e.getMessage());
      return;
    }
    run.sessionId(stored.sessionId());
    // Numbered on from the stored events: a node that lost the run writes none after the claim.
    run.journal(runStore.lastSeq(run.id()), e -> journal.append(run.id(), e));
    runs.put(run.id(), run);
    AgentDefinition def = agent.map(Agent::definition).orElse(null);
    Thread.ofVirtual().name("agent-" + run.id()).start(() -> traced(def, run, true));
  }

  /** The run as an {@code invoke_agent} span (gen_ai semantic conventions) with its totals. */
  private void traced(AgentDefinition def, AgentRun run, boolean resumed) {
    try (TraceSpan span = Traces.span("invoke_agent", run.agent())) {
      span.set("gen_ai.operation.name", "invoke_agent")
          .set("gen_ai.agent.name", run.agent())
          .set("sophia.run.id", run.id())
          .set("sophia.run.depth", run.request().depth());
      AgentResult result = execute(def, run, resumed);
      span.set("sophia.run.status", result.status().name())
          .set("sophia.run.mode", result.mode())
          .set("sophia.model_calls", result.modelCalls())
          .set("gen_ai.usage.input_tokens", result.inputTokens())
          .set("gen_ai.usage.output_tokens", result.outputTokens())
          .set("sophia.cost_usd", result.costUsd());
      if (result.status() == RunStatus.failed || result.status() == RunStatus.timed_out) {
        span.fail(result.status().name());
      }
    }
  }

  private AgentResult execute(AgentDefinition def, AgentRun run, boolean resumed) {
    Usage usage = new Usage();
    AgentResult result;
    try {
      if (resumed) {
        run.emit(
            new AgentEvent.RunResumed(
                run.id(), run.agent(), run.transcript().size(), owner, Instant.now()));
        if (def == null) {
          throw new RunStopped(
              RunStatus.failed, "agent " + run.agent() + " is no longer defined on this node");
        }
        if (run.request().depth() > 0) {
          throw new RunStopped(
              RunStatus.failed,
              "a delegated run is not taken over on its own: the agent that asked, taken over,"
                  + " asks again");
        }
        run.record(new Step.Note("taken over by " + owner + " after an interruption"));
      } else {
        run.emit(
            new AgentEvent.RunStarted(
                run.id(), def.name(), run.mode(), run.sessionId(), Instant.now()));
      }
      AgentRunner.Outcome o = outcome(def, run, usage);
      result = result(run, RunStatus.succeeded, o.answer(), o.note(), usage);
    } catch (RunStopped stopped) {
      result = result(run, stopped.status(), "", stopped.getMessage(), usage);
    } catch (RuntimeException e) {
      log.warn("run {} of agent {} failed: {}", run.id(), run.agent(), e.toString());
      result = result(run, RunStatus.failed, "", "the run failed: " + e.getMessage(), usage);
    }
    Optional<String> handedOver = run.handedOver();
    if (handedOver.isPresent()) {
      // Not ended here: whoever goes on with it records its end (the store's fence keeps a late
      // write of this node from landing over theirs).
      run.finishHandedOver(new AgentEvent.RunHandedOver(run.id(), handedOver.get(), Instant.now()));
      runs.remove(run.id());
      return result;
    }
    // The run shows its end (status and result together, in finish) once it is recorded.
    try {
      if (def == null) {
        recorder.ended(run, result); // no agent of that name: only the run's row ends
      } else {
        recorder.finished(def, run, result);
      }
    } catch (RuntimeException e) {
      log.warn("run {}: recording it failed: {}", run.id(), e.toString());
    }
    run.finish(result, new AgentEvent.RunFinished(run.id(), result, Instant.now()));
    finished.add(run.id());
    while (finished.size() > KEEP_FINISHED) {
      String old = finished.poll();
      if (old != null) {
        runs.remove(old);
      }
    }
    return result;
  }

  private AgentRunner.Outcome outcome(AgentDefinition def, AgentRun run, Usage usage) {
    List<String> missing = def.tools().stream().filter(t -> !tools.has(t)).toList();
    if (!def.tools().isEmpty() && missing.size() == def.tools().size()) {
      return new AgentRunner.Outcome(
          "I cannot act yet: the "
              + String.join(", ", missing)
              + " tool is not installed in this Sophia, so agent "
              + def.name()
              + " can do nothing for this request. Nothing was changed.",
          "tool not installed: " + String.join(", ", missing));
    }
    if (run.mode().equals(AgentResult.MODE_OFFLINE)) {
      return offline.run(def, run, "no model is available: offline mode (rule-based)");
    }
    List<ai.sophia.model.Message> context =
        contexts.build(def, run.sessionId(), run.request().input());
    try {
      return runner.modelLoop(def, run, context, usage);
    } catch (ModelUnavailableException e) {
      String why = "the model became unavailable during the run (" + e.getMessage() + ")";
      run.record(new Step.Note(why + "; continuing offline"));
      run.mode(AgentResult.MODE_OFFLINE);
      return offline.run(def, run, why + "; answered offline (rule-based)");
    }
  }

  private static AgentResult result(
      AgentRun run, RunStatus status, String answer, String note, Usage usage) {
    return new AgentResult(
        run.id(),
        run.agent(),
        status,
        run.mode(),
        answer,
        note,
        run.sessionId(),
        usage.modelCalls,
        usage.inputTokens,
        usage.outputTokens,
        usage.costUsd);
  }

  /** ask_agent: a run of another agent, one level deeper, with nothing authorized up front. */
  private ToolOutput delegate(String name, String question, ToolContext caller) {
    Optional<Agent> agent = agents == null ? Optional.empty() : agents.find(name);
    if (agent.isEmpty()) {
      return new ToolOutput.Failure("ask_agent: there is no agent named '" + name + "'");
    }
    AgentRequest request;
    try {
      request = AgentRequest.of(question).withApiKey(caller.apiKeyId()).atDepth(caller.depth() + 1);
    } catch (InvalidInputException e) {
      return new ToolOutput.Failure("ask_agent: " + e.getMessage());
    }
    AgentResult r = agent.get().processRequest(request);
    String head = "Agent " + name + " (mode " + r.mode() + ", run " + r.runId() + ")";
    if (r.status() != RunStatus.succeeded) {
      return new ToolOutput.Failure(head + " ended " + r.status() + ": " + r.note());
    }
    return new ToolOutput.Success(head + " answered:\n" + r.answer());
  }

  /** Wires a runtime; every collaborator is required except the extra tools and the clock. */
  public static final class Builder {
    private SophiaConfig.Agents limits;
    private ModelGateway gateway;
    private Researcher researcher;
    private String defaultEngine = "duckduckgo";
    private DocumentIndex index;
    private Embedder embedder;
    private Database database;
    private OperationsStore operations;
    private Clock clock = Clock.systemUTC();
    private Duration lease = Duration.ofMillis(SophiaConfig.Swarm.DEFAULT_LEASE_MS);
    private String nodeName = "";
    private final List<Tool> extraTools = new ArrayList<>();

    private Builder() {}

    public Builder config(SophiaConfig config) {
      this.limits = config.agents();
      this.defaultEngine = config.research().defaultEngine();
      // Agent runs share the swarm engine's lease and node name: one node, one name.
      this.lease = Duration.ofMillis(config.swarm().leaseMs());
      this.nodeName = config.swarm().nodeName();
      return this;
    }

    public Builder gateway(ModelGateway value) {
      this.gateway = value;
      return this;
    }

    public Builder researcher(Researcher value) {
      this.researcher = value;
      return this;
    }

    public Builder index(DocumentIndex value) {
      this.index = value;
      return this;
    }

    public Builder embedder(Embedder value) {
      this.embedder = value;
      return this;
    }

    public Builder database(Database value) {
      this.database = value;
      return this;
    }

    public Builder operations(OperationsStore value) {
      this.operations = value;
      return this;
    }

    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /** A tool beyond the built-in ones (later: commit, deploy, MCP tools). */
    public Builder tool(Tool tool) {
      extraTools.add(Objects.requireNonNull(tool, "tool"));
      return this;
    }

    /**
     * @throws ai.sophia.error.ConfigException when an agent definition is bad, naming its key
     */
    public AgentRuntime build() {
      return new AgentRuntime(this);
    }
  }
}
