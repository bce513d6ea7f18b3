package ai.sophia.cli;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.server.Sophia;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code sophia serve}: runs the server until the process is stopped. SIGTERM (a rolling restart,
 * {@code docker stop}, Fly.io) and SIGINT (Ctrl-C) stop it gracefully — readiness turns 503, the
 * requests in flight finish (up to {@code server.drain_ms}), swarm runs are handed back — and the
 * process exits 0. Any other way the JVM goes down still closes Sophia, from a shutdown hook.
 */
@Command(name = "serve", description = "Run the Sophia server.")
final class ServeCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "N",
      description = "Port to listen on (overrides server.port; 0 = any free port).")
  Integer port;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> flags = new HashMap<>();
    if (port != null) {
      flags.put(ConfigLoader.envName("server.port"), Integer.toString(port));
    }
    SophiaConfig config = main.config(flags);
    Sophia sophia = Sophia.open(config, main.env());
    AtomicBoolean closed = new AtomicBoolean();
    Runnable closeOnce =
        () -> {
          if (closed.compareAndSet(false, true)) {
            sophia.close();
          }
        };
    Thread hook = new Thread(closeOnce, "sophia-shutdown");
    try {
      // The server logs where it listens; stdout carries only the first-start key box.
      sophia.serve(spec.commandLine().getOut());
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (RuntimeException e) {
      sophia.close();
      throw e;
    }
    CountDownLatch stop = new CountDownLatch(1);
    // Handled here rather than by the JVM, whose own handling would end the process with 143.
    Signal.handle(new Signal("TERM"), signal -> stop.countDown());
    Signal.handle(new Signal("INT"), signal -> stop.countDown());
    stop.await();
    closeOnce.run();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is going down already
    }
    return 0;
  }
}
