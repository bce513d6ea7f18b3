package ai.sophia.deploy;

import ai.sophia.error.SophiaException;
import ai.sophia.tool.Risk;
import ai.sophia.tool.Tool;
import ai.sophia.tool.ToolContext;
import ai.sophia.tool.ToolOutput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code deploy}: deploys a configured target and reports how it went. Deploy risk: it runs only
 * when the request authorized {@code deploy} or a person approved the call. At most once per call:
 * the call's idempotency key is the deployment's, so a step re-run after a crash gets the outcome
 * of the deployment it started (waiting for it if it still runs here) instead of a second
 * deployment.
 */
public final class DeployTool implements Tool {
  public static final String NAME = "deploy";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS = Set.of("target", "version", "strategy", "environment");
  private static final Duration MARGIN = Duration.ofSeconds(30);

  private final Deployments deployments;

  private DeployTool(Deployments deployments) {
    this.deployments = deployments;
  }

  public static DeployTool create(Deployments deployments) {
    return new DeployTool(Objects.requireNonNull(deployments, "deployments"));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Deploy a configured target (a Fly.io app, a local service or a deploy command) and"
        + " report its status, URL and what happened. Give the target; optionally the version"
        + " (image), strategy and environment.";
  }

  @Override
  public JsonNode parameters() {
    ObjectNode s = JSON.createObjectNode().put("type", "object");
    ObjectNode props = s.putObject("properties");
    ObjectNode target = props.putObject("target").put("type", "string");
    target.put("description", "the configured target to deploy");
    List<Deployments.TargetInfo> targets = deployments.targets();
    if (!targets.isEmpty()) {
      ArrayNode names = target.putArray("enum");
      targets.forEach(t -> names.add(t.name()));
    }
    props.putObject("version").put("type", "string").put("description", "image or version label");
    props
        .putObject("strategy")
        .put("type", "string")
        .put("description", "rolling, bluegreen, canary, immediate (Fly)");
    props.putObject("environment").put("type", "string").put("description", "default production");
    s.putArray("required").add("target");
    s.put("additionalProperties", false);
    return s;
  }

  @Override
  public Risk risk() {
    return Risk.deploy;
  }

  @Override
  public Optional<String> unavailable() {
    List<Deployments.TargetInfo> targets = deployments.targets();
    if (targets.isEmpty()) {
      return Optional.of("no deployment target is configured (deploy.targets)");
    }
    if (targets.stream().allMatch(t -> !t.unavailable().isEmpty())) {
      return Optional.of(
          "no target can deploy: "
              + targets.getFirst().name()
              + ": "
              + targets.getFirst().unavailable());
    }
    return Optional.empty();
  }

  @Override
  public ToolOutput invoke(JsonNode arguments, ToolContext context) {
    DeployRequest request;
    try {
      request = request(arguments, context);
    } catch (IllegalArgumentException e) {
      return new ToolOutput.Failure("deploy: " + e.getMessage());
    }
    try {
      Optional<Deployment> seen = deployments.findByIdempotencyKey(context.idempotencyKey());
      Deployment d = seen.orElseGet(() -> deployments.trigger(request));
      if (!d.status().finished() && deployments.runningHere(d.id())) {
        d = deployments.await(d.id(), deployments.timeout().plus(MARGIN));
      }
      return report(d, seen.isPresent());
    } catch (SophiaException e) {
      return new ToolOutput.Failure("deploy: " + e.getMessage() + ". Nothing was deployed.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new ToolOutput.Failure("deploy: interrupted while waiting for the deployment");
    }
  }

  private static ToolOutput report(Deployment d, boolean again) {
    String head =
        (again ? "This call already started deployment " : "Deployment ")
            + d.id()
            + " of "
            + d.target()
            + (d.version().isEmpty() ? "" : " (" + d.version() + ")")
            + " to "
            + d.environment()
            + ": ";
    long seconds = d.duration(Instant.now()).toSeconds();
    return switch (d.status()) {
      case healthy ->
          new ToolOutput.Success(
              head + "healthy in " + seconds + " s at " + d.url() + ". " + d.detail());
      case rolled_back -> new ToolOutput.Failure(head + "rolled back: " + d.detail());
      case failed ->
          new ToolOutput.Failure(
              head + "failed: " + d.detail() + (again ? ". It was not started again." : ""));
      default ->
          new ToolOutput.Success(
              head
                  + d.status()
                  + " (it runs in another Sophia process; GET /api/v1/deploy/"
                  + d.id()
                  + " follows it)");
    };
  }

  private static DeployRequest request(JsonNode args, ToolContext context) {
    if (args == null || !args.isObject()) {
      throw new IllegalArgumentException("arguments must be a JSON object");
    }
    for (Iterator<String> names = args.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown argument '" + name + "' (allowed: " + FIELDS + ")");
      }
    }
    String target = text(args, "target");
    if (target.isEmpty()) {
      throw new IllegalArgumentException("'target' is required");
    }
    String environment = text(args, "environment");
    return DeployRequest.of(target, "agent " + context.agent() + " (run " + context.runId() + ")")
        .withEnvironment(environment.isEmpty() ? "production" : environment)
        .withStrategy(text(args, "strategy"))
        .withVersion(text(args, "version"))
        .withIdempotencyKey(context.idempotencyKey());
  }

  private static String text(JsonNode args, String field) {
    JsonNode n = args.get(field);
    if (n == null || n.isNull()) {
      return "";
    }
    if (!n.isTextual()) {
      throw new IllegalArgumentException("'" + field + "' must be a string");
    }
    return n.asText().strip();
  }
}
