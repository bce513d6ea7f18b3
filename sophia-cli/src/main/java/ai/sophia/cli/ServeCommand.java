package ai.sophia.cli;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.server.Sophia;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sophia serve}: runs the server until the process is stopped (Ctrl-C, SIGTERM). */
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
    CountDownLatch stopped = new CountDownLatch(1);
    Sophia sophia = Sophia.open(config, main.env());
    Thread hook =
        new Thread(
            () -> {
              sophia.close();
              stopped.countDown();
            },
            "sophia-shutdown");
    try {
      // The server logs where it listens; stdout carries only the first-start key box.
      sophia.serve(spec.commandLine().getOut());
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (RuntimeException e) {
      sophia.close();
      throw e;
    }
    stopped.await();
    return 0;
  }
}
