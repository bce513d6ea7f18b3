package ai.sophia.mcp;

import ai.sophia.deploy.DeployEvent;
import ai.sophia.deploy.DeployRequest;
import ai.sophia.deploy.Deployment;
import ai.sophia.deploy.Deployments;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.security.Role;
import io.modelcontextprotocol.server.McpServerFeatures.SyncPromptSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceTemplateSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceRequest;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceResult;
import io.modelcontextprotocol.spec.McpSchema.ResourceTemplate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Deployments over MCP: {@code deploy_trigger} (as {@code POST /api/v1/deploy/trigger}: a
 * developer's explicit call is the authorization, as for {@code code_modify}; waits with a progress
 * notification per log line until the deployment is healthy, rolled back or failed, unless {@code
 * wait} is false), {@code deploy_status} (record, status timeline and log), and each deployment as
 * the resource {@code sophia://deployments/{id}}. A deployment is not stopped halfway by cancelling
 * the call: a half-rolled-out release is worse than either version.
 */
final class DeployTools {
  static final String URI = "sophia://deployments/";
  private static final Pattern ID = Pattern.compile("deploy-[0-9a-f]{8}");
  private static final int MAX_TEXT = 300;
  private static final int LOG_LINES = 500;
  private static final String RECORD =
      "{'type':'object','properties':{'deployment_id':{'type':'string'},"
          + "'deployment_url':{'type':'string'},'status':{'type':'string'},"
          + "'logs':{'type':'array','items':{'type':'string'}},'target':{'type':'string'},"
          + "'timeline':{'type':'array'},'timestamp':{'type':'string'}},"
          + "'required':['deployment_id','status','logs']}";

  private final Deployments deployments;
  private final Duration longestWait;

  DeployTools(Deployments deployments, Duration longestWait) {
    this.deployments = deployments;
    this.longestWait = longestWait;
  }

  List<SyncToolSpecification> specifications() {
    return List.of(
        SophiaTools.tool(
            "deploy_trigger",
            Role.developer,
            "Deploy a configured target (deploy.targets: Fly.io Machines, a local process or an"
                + " operator's command) with health checks and automatic rollback; waits until it"
                + " is healthy, rolled back or failed unless wait is false. Needs role developer.",
            "{'type':'object','properties':{"
                + "'target':{'type':'string','maxLength':300},"
                + "'environment':{'type':'string','maxLength':300,'default':'production'},"
                + "'strategy':{'type':'string','enum':['rolling','bluegreen','canary','immediate']},"
                + "'version':{'type':'string','maxLength':300},"
                + "'deployment_type':{'type':'string','enum':['standard']},"
                + "'force_rebuild':{'type':'boolean'},'wait':{'type':'boolean','default':true}},"
                + "'additionalProperties':false}",
            RECORD,
            this::trigger),
        SophiaTools.tool(
            "deploy_status",
            Role.readonly,
            "A deployment by its id: status, status timeline, URL and log lines (as GET"
                + " /api/v1/deploy/{id}). Needs role readonly.",
            "{'type':'object','properties':{'deployment_id':{'type':'string','minLength':1}},"
                + "'required':['deployment_id'],'additionalProperties':false}",
            RECORD,
            this::status));
  }

  /** The prompt to deploy one target; {@link Completions} offers the target names. */
  SyncPromptSpecification prompt() {
    return new SyncPromptSpecification(
        new McpSchema.Prompt(
            "deploy",
            "Deploy one of Sophia's configured targets and report how it went",
            List.of(
                new McpSchema.PromptArgument("target", "The target's name (deploy.targets)", true),
                new McpSchema.PromptArgument("version", "The version to deploy", false))),
        (exchange, request) -> {
          Map<String, Object> args = request.arguments() == null ? Map.of() : request.arguments();
          Object version = args.get("version");
          return SophiaResources.message(
              "Use Sophia's deploy_trigger tool to deploy the target '"
                  + SophiaResources.required(args, "target")
                  + "'"
                  + (version == null ? "" : " at version " + version)
                  + ", then report its status, URL and the last log lines; if it was rolled back,"
                  + " say why.");
        });
  }

  SyncResourceTemplateSpecification resource() {
    return new SyncResourceTemplateSpecification(
        new ResourceTemplate(
            URI + "{id}",
            "deployment",
            "A deployment",
            "A deployment: target, status, timeline, URL and log",
            SophiaResources.JSON,
            null),
        SophiaResources.guarded(this::read));
  }

  private CallToolResult trigger(McpSyncServerExchange exchange, CallToolRequest call) {
    Caller caller = Caller.of(exchange.transportContext());
    Map<String, Object> args =
        SophiaTools.arguments(
            call,
            Set.of(
                "target",
                "environment",
                "strategy",
                "version",
                "deployment_type",
                "force_rebuild",
                "wait"));
    String who = caller.keyId().isEmpty() ? "the local MCP user" : "API key " + caller.keyId();
    DeployRequest request =
        DeployRequest.of(deployments.resolveTarget(text(args, "target")), who + " over MCP")
            .withEnvironment(
                args.get("environment") == null ? "production" : text(args, "environment"))
            .withStrategy(text(args, "strategy"))
            .withVersion(text(args, "version"))
            .withType(
                args.get("deployment_type") == null ? "standard" : text(args, "deployment_type"),
                flag(args, "force_rebuild"));
    Deployment started = deployments.trigger(request);
    if (args.get("wait") != null && !flag(args, "wait")) {
      return result(started);
    }
    SophiaTools.Progress progress = SophiaTools.Progress.of(exchange, call);
    Deployment done;
    try (AutoCloseable logs =
        deployments.subscribe(
            started.id(),
            e -> {
              if (e.kind().equals(DeployEvent.LOG) || e.kind().equals(DeployEvent.STATUS)) {
                progress.send(e.text());
              }
            })) {
      done = deployments.await(started.id(), longestWait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while deployment " + started.id() + " ran", e);
    } catch (Exception e) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
    return result(done);
  }

  private CallToolResult status(McpSyncServerExchange exchange, CallToolRequest call) {
    String id =
        SophiaTools.text(SophiaTools.arguments(call, Set.of("deployment_id")), "deployment_id");
    Deployment d =
        find(id).orElseThrow(() -> new NotFoundException("no deployment with id '" + id + "'"));
    return result(d);
  }

  private ReadResourceResult read(McpSyncServerExchange exchange, ReadResourceRequest request) {
    Caller.of(exchange.transportContext()).require(Role.readonly, "reading deployments");
    String id = SophiaResources.id(request.uri(), URI);
    Deployment d =
        find(id)
            .orElseThrow(
                () -> SophiaResources.notFound(request.uri(), "no deployment with id " + id));
    return SophiaResources.contents(request.uri(), view(d));
  }

  private Optional<Deployment> find(String id) {
    return ID.matcher(id).matches() ? deployments.find(id) : Optional.empty();
  }

  private CallToolResult result(Deployment d) {
    Map<String, Object> view = view(d);
    String text =
        "Deployment "
            + d.id()
            + " of "
            + d.target()
            + " is "
            + d.status().name()
            + (d.detail().isEmpty() ? "" : ": " + d.detail())
            + (d.url().isEmpty() ? "" : "\nURL: " + d.url())
            + "\n\nRecord: "
            + URI
            + d.id();
    return SophiaTools.ok(text, view);
  }

  /** SPEC's trigger response fields, plus the record and its timeline. */
  private Map<String, Object> view(Deployment d) {
    List<DeployEvent> events = deployments.events(d.id(), 0, 10_000);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("deployment_id", d.id());
    out.put("deployment_url", d.url());
    out.put(
        "logs",
        events.stream()
            .filter(e -> e.kind().equals(DeployEvent.LOG))
            .map(DeployEvent::text)
            .limit(LOG_LINES)
            .toList());
    out.put("status", d.status().name());
    out.put("timestamp", Instant.now().toString());
    out.put("target", d.target());
    out.put("environment", d.environment());
    out.put("strategy", d.strategy());
    out.put("version", d.version());
    out.put("previous_version", d.previousVersion());
    out.put("detail", d.detail());
    out.put("requested_by", d.requestedBy());
    out.put("duration_ms", d.duration(Instant.now()).toMillis());
    out.put(
        "timeline",
        events.stream()
            .filter(e -> e.kind().equals(DeployEvent.STATUS))
            .map(e -> Map.of("status", e.text(), "at", e.at().toString(), "detail", e.detail()))
            .toList());
    return out;
  }

  private static String text(Map<String, Object> args, String name) {
    Object value = args.get(name);
    if (value == null) {
      return "";
    }
    if (!(value instanceof String s)) {
      throw new InvalidInputException(name, name + " must be a string");
    }
    if (s.length() > MAX_TEXT) {
      throw new InvalidInputException(name, name + " is at most " + MAX_TEXT + " characters");
    }
    return s.strip();
  }

  private static boolean flag(Map<String, Object> args, String name) {
    Object value = args.get(name);
    if (value == null) {
      return false;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    throw new InvalidInputException(name, name + " must be true or false");
  }
}
