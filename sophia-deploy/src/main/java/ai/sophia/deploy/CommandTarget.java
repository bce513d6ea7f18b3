package ai.sophia.deploy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An operator's own deploy command ({@code kubectl apply}, {@code kamal deploy}, {@code flyctl
 * deploy}…) run with a timeout, its output the deployment's log, then a health probe of {@code
 * health_url}. When the command fails or the probe does, {@code rollback_command} (if configured)
 * runs with the previous healthy version, and the deployment ends {@code rolled_back}; without one
 * it ends {@code failed}. A rollback on request runs {@code rollback_command} too (or the deploy
 * command with the older version when there is none). Arguments may use {@code {version}}, {@code
 * {previous_version}}, {@code {environment}} and {@code {deployment_id}}, also given as {@code
 * SOPHIA_DEPLOY_*} environment variables.
 */
final class CommandTarget implements Target {
  private final String name;
  private final List<String> command;
  private final List<String> rollbackCommand;
  private final Optional<URI> healthUrl;
  private final Duration timeout;
  private final Duration healthTimeout;
  private final Path workingDir;
  private final Map<String, String> env;
  private final String url;
  private final HealthProbe probe;

  CommandTarget(
      String name,
      List<String> command,
      List<String> rollbackCommand,
      Optional<URI> healthUrl,
      Duration timeout,
      Duration healthTimeout,
      Path workingDir,
      Map<String, String> env,
      String url,
      HealthProbe probe) {
    this.name = name;
    this.command = List.copyOf(command);
    this.rollbackCommand = List.copyOf(rollbackCommand);
    this.healthUrl = healthUrl;
    this.timeout = timeout;
    this.healthTimeout = healthTimeout;
    this.workingDir = workingDir;
    this.env = Map.copyOf(env);
    this.url = url;
    this.probe = probe;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String type() {
    return "command";
  }

  @Override
  public List<String> strategies() {
    return List.of("standard");
  }

  @Override
  public String defaultVersion() {
    return "";
  }

  @Override
  public Outcome deploy(DeployJob job) throws InterruptedException {
    Outcome o =
        RollBack.run(
            job,
            !rollbackCommand.isEmpty(),
            "deploy command",
            "rollback_command",
            (back, version) -> runAndProbe(job, back ? rollbackCommand : command, version),
            url);
    return o.status() == DeploymentStatus.healthy
        ? Outcome.healthy(o.detail() + probed(), o.url())
        : o;
  }

  /** Runs one command with {@code version} and probes health; empty when both went well. */
  private Optional<String> runAndProbe(DeployJob job, List<String> template, String version)
      throws InterruptedException {
    Deployment d = job.deployment();
    Map<String, String> vars = new HashMap<>();
    vars.put("version", version);
    vars.put("previous_version", job.previous().map(Deployment::version).orElse(""));
    vars.put("environment", d.environment());
    vars.put("deployment_id", d.id());
    List<String> argv = Processes.expand(template, vars);
    Map<String, String> environment = new HashMap<>(env);
    vars.forEach(
        (k, v) -> environment.put("SOPHIA_DEPLOY_" + k.toUpperCase(java.util.Locale.ROOT), v));
    job.log("$ " + String.join(" ", argv));
    Optional<Integer> exit =
        Processes.run(
            argv, workingDir, environment, job.upTo(timeout), line -> job.log("| " + line));
    if (exit.isEmpty()) {
      return Optional.of("the command timed out");
    }
    if (exit.get() != 0) {
      return Optional.of("the command exited with status " + exit.get());
    }
    job.log("the command exited with status 0");
    if (healthUrl.isPresent()) {
      HealthProbe.Result r =
          probe.await(healthUrl.get(), job.upTo(healthTimeout), () -> false, job::log);
      if (!r.healthy()) {
        return Optional.of(healthUrl.get() + " is not healthy (" + r.detail() + ")");
      }
    }
    return Optional.empty();
  }

  private String probed() {
    return healthUrl.map(u -> ", " + u + " healthy").orElse(" (no health_url to probe)");
  }
}
