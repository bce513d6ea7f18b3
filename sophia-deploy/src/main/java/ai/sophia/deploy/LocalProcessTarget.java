package ai.sophia.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A service on this machine: {@code command} started on one of two {@code ports} in turn (blue and
 * green), given {@code {port}} and {@code {version}} in its arguments and {@code PORT} and {@code
 * SOPHIA_DEPLOY_VERSION} in its environment. A deployment starts the new version on the port the
 * running one does not use, waits until {@code http://127.0.0.1:<port><health_path>} answers 2xx,
 * then stops the old one (SIGTERM, SIGKILL after {@value #STOP_GRACE_SECONDS} s). A version that
 * never becomes healthy, or exits, is stopped and the old one keeps running. Its output goes to
 * {@code <data_dir>/deploy/<target>/<deployment id>.log}. The service outlives Sophia: on a restart
 * Sophia finds it again by its recorded pid and start time.
 */
final class LocalProcessTarget implements Target {
  static final int STOP_GRACE_SECONDS = 10;
  private static final int TAIL_LINES = 20;

  private final String name;
  private final List<String> command;
  private final List<Integer> ports;
  private final String healthPath;
  private final Path workingDir;
  private final Map<String, String> env;
  private final Duration healthTimeout;
  private final String url;
  private final Path logDir;
  private final HealthProbe probe;

  LocalProcessTarget(
      String name,
      List<String> command,
      List<Integer> ports,
      String healthPath,
      Path workingDir,
      Map<String, String> env,
      Duration healthTimeout,
      String url,
      Path logDir,
      HealthProbe probe) {
    this.name = name;
    this.command = List.copyOf(command);
    this.ports = List.copyOf(ports);
    this.healthPath = healthPath;
    this.workingDir = workingDir;
    this.env = Map.copyOf(env);
    this.healthTimeout = healthTimeout;
    this.url = url;
    this.logDir = logDir;
    this.probe = probe;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String type() {
    return "local";
  }

  @Override
  public List<String> strategies() {
    return List.of("bluegreen");
  }

  @Override
  public String defaultVersion() {
    return "";
  }

  @Override
  public Outcome deploy(DeployJob job) throws InterruptedException {
    Deployment d = job.deployment();
    Optional<Deployment> previous = job.previous();
    Optional<ProcessHandle> old = previous.flatMap(p -> Processes.alive(p.pid(), p.pidStartedAt()));
    if (previous.isPresent() && old.isEmpty()) {
      job.log(
          "the previous version ("
              + previous.get().id()
              + ", pid "
              + previous.get().pid()
              + ") is no longer running");
    }
    int port =
        old.isPresent() && previous.get().port() == ports.get(0) ? ports.get(1) : ports.get(0);
    if (listening(port)) {
      return Outcome.failed(
          "port " + port + " is already in use by a process Sophia did not start for " + name);
    }
    Map<String, String> vars =
        Map.of(
            "port", Integer.toString(port), "version", d.version(), "environment", d.environment());
    List<String> argv = Processes.expand(command, vars);
    Path out = logDir.resolve(d.id() + ".log");
    Process process;
    try {
      Files.createDirectories(logDir);
      ProcessBuilder pb =
          new ProcessBuilder(argv)
              .directory(workingDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
      Map<String, String> environment = pb.environment();
      environment.putAll(env);
      environment.put("PORT", Integer.toString(port));
      environment.put("SOPHIA_DEPLOY_VERSION", d.version());
      environment.put("SOPHIA_DEPLOY_ENVIRONMENT", d.environment());
      job.log("$ " + String.join(" ", argv));
      process = pb.start();
      process.getOutputStream().close();
    } catch (IOException e) {
      return Outcome.failed("cannot start " + argv.getFirst() + ": " + e.getMessage());
    }
    ProcessHandle started = process.toHandle();
    job.log("started pid " + started.pid() + " on port " + port + " (output: " + out + ")");
    boolean healthy = false;
    try {
      URI health = URI.create("http://127.0.0.1:" + port + healthPath);
      HealthProbe.Result r =
          probe.await(health, job.upTo(healthTimeout), () -> !process.isAlive(), job::log);
      healthy = r.healthy();
      if (!healthy) {
        String why =
            process.isAlive()
                ? "never became healthy (" + r.detail() + ")"
                : "exited with status " + process.exitValue() + " before becoming healthy";
        Processes.stop(started, Duration.ofSeconds(STOP_GRACE_SECONDS));
        tail(out).forEach(line -> job.log("| " + line));
        job.log("stopped the new version (pid " + started.pid() + ")");
        String label = d.version().isEmpty() ? "the new version" : "version " + d.version();
        return old.isPresent()
            ? Outcome.rolledBack(
                label
                    + " "
                    + why
                    + "; "
                    + previous.get().id()
                    + " keeps running on port "
                    + previous.get().port())
            : Outcome.failed(label + " " + why);
      }
    } finally {
      if (!healthy && process.isAlive()) {
        Processes.stop(started, Duration.ofSeconds(STOP_GRACE_SECONDS));
      }
    }
    if (old.isPresent()) {
      boolean killed = Processes.stop(old.get(), Duration.ofSeconds(STOP_GRACE_SECONDS));
      job.log(
          "stopped the old version ("
              + previous.get().id()
              + ", pid "
              + old.get().pid()
              + (killed ? ", killed" : "")
              + ")");
    }
    String where = url.isEmpty() ? "http://127.0.0.1:" + port : url;
    return new Outcome(
        DeploymentStatus.healthy,
        "serving on port " + port,
        where,
        "",
        started.pid(),
        Processes.startedAt(started),
        port);
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static List<String> tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
    } catch (IOException e) {
      return List.of();
    } catch (UncheckedIOException e) {
      return List.of();
    }
  }
}
