package ai.sophia.mcp;

import ai.sophia.agent.AgentRuntime;
import ai.sophia.code.CodeChanges;
import ai.sophia.config.SophiaConfig;
import ai.sophia.deploy.Deployments;
import ai.sophia.model.RoutingModelGateway;
import ai.sophia.research.Researcher;
import ai.sophia.security.AuditLog;
import ai.sophia.security.Role;
import ai.sophia.swarm.SwarmCoordinator;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.http.HttpServlet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sophia as an MCP server (the official MCP Java SDK): its capabilities as tools, stored research
 * and agent runs as resources, and prompts, over Streamable HTTP ({@link #httpServlet}, mounted at
 * {@code /mcp} on Sophia's own Jetty behind an authentication filter) or over stdio ({@link
 * #serveStdio}, {@code sophia mcp}).
 */
public final class SophiaMcp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SophiaMcp.class);

  /** Where the Streamable HTTP endpoint is mounted. */
  public static final String ENDPOINT = "/mcp";

  private final SophiaTools tools;
  private final CodeTools code;
  private final SwarmTools swarms;
  private final DeployTools deployments;
  private final SophiaResources resources;
  private final Completions completions;
  private final Cancellations cancellations = new Cancellations();
  private final AuditLog audit;
  private final String version;
  private final Map<String, Role> toolRoles;
  private McpSyncServer server;

  /** What the MCP server exposes: Sophia's capabilities, built by the composition root. */
  public record Capabilities(
      Researcher research,
      AgentRuntime agents,
      RoutingModelGateway models,
      CodeChanges code,
      Deployments deployments,
      SwarmCoordinator swarms,
      AuditLog audit) {
    public Capabilities {
      Objects.requireNonNull(audit, "audit");
      Objects.requireNonNull(research, "research");
      Objects.requireNonNull(agents, "agents");
      Objects.requireNonNull(models, "models");
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(deployments, "deployments");
      Objects.requireNonNull(swarms, "swarms");
    }
  }

  private SophiaMcp(Capabilities c, SophiaConfig config, String version) {
    this.audit = c.audit();
    String engine = config.research().defaultEngine();
    this.tools = new SophiaTools(c.research(), c.agents(), c.models(), engine, cancellations);
    this.code = new CodeTools(c.code());
    this.swarms =
        new SwarmTools(
            c.swarms(), cancellations, Duration.ofMillis(config.swarm().runDeadlineMs()));
    this.deployments =
        new DeployTools(c.deployments(), Duration.ofMillis(config.deploy().timeoutMs()));
    this.resources = new SophiaResources(c.research(), c.agents());
    this.completions = new Completions(c.agents(), c.deployments(), c.swarms().engine());
    this.version = version;
    Map<String, Role> roles = new HashMap<>();
    for (SyncToolSpecification spec : toolSpecifications()) {
      roles.put(
          spec.tool().name(),
          Role.valueOf(String.valueOf(spec.tool().meta().get(SophiaTools.ROLE_META))));
    }
    this.toolRoles = Map.copyOf(roles);
  }

  /**
   * The MCP server's features over Sophia's capabilities; nothing is served until asked. The
   * configuration gives the default search engine and how long a waiting swarm or deployment call
   * may take.
   */
  public static SophiaMcp create(Capabilities capabilities, SophiaConfig config, String version) {
    return new SophiaMcp(
        Objects.requireNonNull(capabilities, "capabilities"),
        Objects.requireNonNull(config, "config"),
        Objects.requireNonNull(version, "version"));
  }

  /**
   * The Streamable HTTP endpoint as a servlet. It trusts the {@link Caller} that a filter in front
   * of it put in the request attribute {@link Caller#ATTRIBUTE}; without one every call fails.
   */
  public synchronized HttpServlet httpServlet() {
    HttpServletStreamableServerTransportProvider transport =
        HttpServletStreamableServerTransportProvider.builder()
            .jsonMapper(McpJsonDefaults.getMapper())
            .mcpEndpoint(ENDPOINT)
            .keepAliveInterval(Duration.ofSeconds(30))
            .contextExtractor(
                request -> {
                  Map<String, Object> values = new HashMap<>();
                  values.put(Caller.HTTP, Boolean.TRUE);
                  if (request.getAttribute(Caller.ATTRIBUTE) instanceof Caller caller) {
                    values.put(Caller.ATTRIBUTE, caller);
                  }
                  return McpTransportContext.create(values);
                })
            .build();
    this.server = build(McpServer.sync(transport));
    return transport;
  }

  /**
   * What the HTTP transport must hand the SDK for an inbound JSON-RPC message: the message itself
   * (a {@code tools/call} tagged so that it can be cancelled), or nothing when it was a {@code
   * notifications/cancelled}, which is acted on here (the SDK does not implement cancellation).
   * {@code scope} identifies the caller and session the message came in.
   */
  public Optional<String> inbound(String scope, String message) {
    return cancellations.inbound(Objects.requireNonNull(scope, "scope"), message);
  }

  /**
   * Serves MCP over stdio (JSON-RPC lines on {@code in} and {@code out}) as the local user until
   * {@code in} ends. Nothing but protocol messages may be written to {@code out}.
   */
  public void serveStdio(InputStream in, OutputStream out) throws InterruptedException {
    // The SDK reads lines from a pipe that a pump fills: each line passes through the
    // cancellation handling first, and the end of input ends the server.
    CountDownLatch ended = new CountDownLatch(1);
    PipedInputStream toSdk = new PipedInputStream(1 << 20);
    PipedOutputStream pump;
    try {
      pump = new PipedOutputStream(toSdk);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread.ofVirtual()
        .name("mcp-stdio-in")
        .start(
            () -> {
              try (BufferedReader lines =
                      new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                  OutputStream sink = pump) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                  if (line.isBlank()) {
                    continue;
                  }
                  Optional<JsonRpcEnvelope.Invalid> invalid = JsonRpcEnvelope.check(line);
                  if (invalid.isPresent()) {
                    answer(out, invalid.get());
                    continue;
                  }
                  Optional<String> message = cancellations.inbound("stdio", line);
                  if (message.isPresent()) {
                    sink.write((message.get() + "\n").getBytes(StandardCharsets.UTF_8));
                    sink.flush();
                  }
                }
              } catch (IOException e) {
                log.debug("stdio input ended: {}", e.toString());
              } finally {
                ended.countDown();
              }
            });
    McpSyncServer stdio =
        build(
            McpServer.sync(
                new StdioServerTransportProvider(McpJsonDefaults.getMapper(), toSdk, out)));
    try {
      ended.await();
    } finally {
      stdio.closeGracefully();
    }
  }

  /**
   * Answers a line the SDK could not read with its JSON-RPC error; the SDK would log it as an ERROR
   * and stop reading stdin. Its own writes hold the same lock, so lines never interleave.
   */
  private static void answer(OutputStream out, JsonRpcEnvelope.Invalid invalid) throws IOException {
    log.debug("stdio message refused: {}", invalid.message());
    synchronized (out) {
      out.write((invalid.response() + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }

  private McpSyncServer build(McpServer.SyncSpecification<?> spec) {
    return spec.serverInfo("sophia", version)
        .instructions(
            "Sophia researches questions with cited sources, runs agents and swarms of agents,"
                + " commits code and deploys. Use research for new questions, memory_search for"
                + " what Sophia has read, agents_list and ask_agent for agents, swarm_trigger and"
                + " swarm_status for multi-agent tasks, code_modify to commit, deploy_trigger and"
                + " deploy_status to deploy. Stored results are resources: sophia://research/{id},"
                + " sophia://runs/{id}, sophia://swarms/{id}, sophia://deployments/{id}.")
        .capabilities(
            McpSchema.ServerCapabilities.builder()
                .tools(false)
                .resources(false, false)
                .prompts(false)
                .completions()
                .build())
        .tools(AuditedTools.wrap(toolSpecifications(), audit, java.time.Clock.systemUTC()))
        .resourceTemplates(
            java.util.stream.Stream.concat(
                    resources.templates().stream(),
                    java.util.stream.Stream.of(swarms.resource(), deployments.resource()))
                .toList())
        .prompts(
            java.util.stream.Stream.concat(
                    resources.prompts().stream(), java.util.stream.Stream.of(deployments.prompt()))
                .toList())
        .completions(completions.specifications())
        .requestTimeout(Duration.ofMinutes(10))
        .build();
  }

  private List<SyncToolSpecification> toolSpecifications() {
    return java.util.stream.Stream.of(
            tools.specifications(),
            List.of(code.specification()),
            swarms.specifications(),
            deployments.specifications())
        .flatMap(List::stream)
        .toList();
  }

  /**
   * The least role the tool {@code name} needs (its {@code _meta} {@code ai.sophia/role}); empty
   * for a tool Sophia does not have. The HTTP gate uses it to refuse an OAuth token too weak for a
   * call with 403 {@code insufficient_scope} before the call runs.
   */
  public Optional<Role> toolRole(String name) {
    return Optional.ofNullable(toolRoles.get(name));
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.closeGracefully();
      server = null;
    }
  }
}
