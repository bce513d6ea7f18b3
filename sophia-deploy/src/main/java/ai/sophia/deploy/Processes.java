package ai.sophia.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Starting, watching and stopping the processes local and command targets run. */
final class Processes {
  static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private Processes() {}

  /** {@code template} with {@code {name}} replaced by each variable's value. */
  static List<String> expand(List<String> template, Map<String, String> vars) {
    List<String> out = new ArrayList<>(template.size());
    for (String arg : template) {
      String a = arg;
      for (Map.Entry<String, String> v : vars.entrySet()) {
        a = a.replace("{" + v.getKey() + "}", v.getValue());
      }
      out.add(a);
    }
    return out;
  }

  /**
   * Runs {@code command} to its end, each output line (stdout and stderr) to {@code log} as it
   * comes; past {@code timeout} the process and its children are stopped.
   *
   * @return its exit status, or empty when it timed out
   */
  static Optional<Integer> run(
      List<String> command,
      Path dir,
      Map<String, String> env,
      Duration timeout,
      Consumer<String> log)
      throws InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      log.accept("cannot start " + command.getFirst() + ": " + e.getMessage());
      return Optional.of(127);
    }
    try {
      p.getOutputStream().close(); // it reads nothing from us
    } catch (IOException e) {
      // its stdin is gone already: nothing to close
    }
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                      log.accept(line);
                    }
                  } catch (IOException e) {
                    // the process was stopped: its output simply ends
                  }
                });
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.accept("timed out after " + timeout.toMillis() + " ms: stopping it");
        stop(p.toHandle(), Duration.ofSeconds(2));
        reader.join(Duration.ofSeconds(2));
        return Optional.empty();
      }
      reader.join(Duration.ofSeconds(5));
      return Optional.of(p.exitValue());
    } catch (InterruptedException e) {
      stop(p.toHandle(), Duration.ofSeconds(2));
      throw e;
    }
  }

  /**
   * Stops a process and its children: SIGTERM, then after {@code grace} SIGKILL.
   *
   * @return true when it had to be killed
   */
  static boolean stop(ProcessHandle process, Duration grace) {
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process);
    all.forEach(ProcessHandle::destroy);
    boolean killed = false;
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
        killed = true;
      }
    }
    return killed;
  }

  /** The process with this pid if it is still the one started at {@code startedAtMillis}. */
  static Optional<ProcessHandle> alive(long pid, long startedAtMillis) {
    if (pid <= 0) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(h -> startedAt(h) == startedAtMillis);
  }

  /** When the process started, in epoch millis (0 when the system does not say). */
  static long startedAt(ProcessHandle h) {
    return h.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
  }

  /** This process: pid@start, to tell whether the process that ran a deployment still lives. */
  static String owner() {
    ProcessHandle self = ProcessHandle.current();
    return self.pid() + "@" + startedAt(self);
  }

  /** True when the process named by an {@link #owner()} string still runs. */
  static boolean ownerAlive(String owner) {
    int at = owner.indexOf('@');
    if (at < 0) {
      return false;
    }
    try {
      return alive(Long.parseLong(owner.substring(0, at)), Long.parseLong(owner.substring(at + 1)))
          .isPresent();
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
