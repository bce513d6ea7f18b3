package ai.sophia.bench;

import ai.sophia.model.ScriptedOpenAiServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * The loopback OpenAI-compatible server of {@code bench/agent_load.sh}, in its own process so that
 * the client's and the server's sockets do not share one open-file limit: answers {@code --quick}
 * requests at once, then {@code --slow} requests each after {@code --delay-ms}. Prints {@code url
 * <base url>} when it listens and stops when its standard input closes.
 */
public final class ModelServer {
  private ModelServer() {}

  public static void main(String[] args) throws IOException {
    Flags flags = Flags.parse(args, Set.of("quick", "slow", "delay-ms"));
    int quick = flags.integer("quick", 200, 0, 1_000_000);
    int slow = flags.integer("slow", 10_000, 0, 1_000_000);
    Duration delay = Duration.ofMillis(flags.integer("delay-ms", 2000, 0, 600_000));
    try (ScriptedOpenAiServer server = ScriptedOpenAiServer.start()) {
      for (int i = 0; i < quick; i++) {
        server.reply("Warm.");
      }
      for (int i = 0; i < slow; i++) {
        server.slow(delay, "The answer, after a slow model.");
      }
      System.out.println("url " + server.baseUrl());
      System.out.flush();
      while (System.in.read() >= 0) {
        // runs until the script closes our standard input
      }
      System.err.printf("model server: %,d chat requests received%n", server.requests().size());
    }
  }
}
