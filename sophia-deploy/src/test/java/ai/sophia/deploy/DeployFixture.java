package ai.sophia.deploy;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.memory.SqliteDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Deployments over a real SQLite database in a temporary directory, configured by YAML, plus the
 * small real HTTP service ({@code deploy-service.py}) local and command targets deploy. Closing it
 * stops every local service its deployments started.
 */
public final class DeployFixture implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public final Path dir;
  public final SophiaConfig config;
  public final SqliteDatabase db;
  public final SqlDeploymentStore store;
  public Deployments deployments;
  private final Map<String, String> env;

  private DeployFixture(Path dir, String yaml, Map<String, String> env) {
    this.dir = dir;
    Map<String, String> all = new HashMap<>(env);
    all.put("SOPHIA_DATA_DIR", dir.toString());
    this.env = all;
    this.config = config(dir, yaml, all);
    this.db = SqliteDatabase.open(dir);
    this.store = new SqlDeploymentStore(db);
    this.deployments = Deployments.create(config, Secrets.create(all), store, Clock.systemUTC());
  }

  public static DeployFixture open(Path dir, String yaml, Map<String, String> env) {
    return new DeployFixture(dir, yaml, env);
  }

  /** The configuration {@code yaml} (and {@code env}) gives, with its data in {@code dir}. */
  public static SophiaConfig config(Path dir, String yaml, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.put("SOPHIA_DATA_DIR", dir.toString());
    try {
      Path file = Files.writeString(dir.resolve("sophia-deploy-test.yaml"), yaml);
      return ConfigLoader.create(all).load(Optional.of(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Closes the service and opens a new one over the same database, as a restarted Sophia would. */
  public void reopen() {
    deployments.close();
    deployments = Deployments.create(config, Secrets.create(env), store, Clock.systemUTC());
  }

  /** A port nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies the test service into {@code dir}; returns its path. */
  public static Path service(Path dir) {
    try (InputStream in = DeployFixture.class.getResourceAsStream("/deploy-service.py")) {
      Path file = dir.resolve("deploy-service.py");
      Files.write(file, in.readAllBytes());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** YAML for a local target running the test service on two free ports. */
  public static String localTarget(String name, Path service, int healthTimeoutMs) {
    return "    "
        + name
        + ":\n      type: local\n      command: [python3, \""
        + service
        + "\", \"{port}\", \"{version}\"]\n      ports: ["
        + freePort()
        + ", "
        + freePort()
        + "]\n      health_path: /health\n      health_timeout_ms: "
        + healthTimeoutMs
        + "\n";
  }

  /** The body of GET {@code url}, or the error when nothing answers. */
  public static String get(String url) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.body();
    } catch (IOException e) {
      return "unreachable: " + e.getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Whether the process a local deployment started still runs. */
  public static boolean running(Deployment d) {
    return Processes.alive(d.pid(), d.pidStartedAt()).isPresent();
  }

  /** Stops every local service a recorded deployment started. */
  public void stopServices() {
    for (Deployment d : store.history("", 1000)) {
      Processes.alive(d.pid(), d.pidStartedAt())
          .ifPresent(p -> Processes.stop(p, Duration.ofSeconds(5)));
    }
  }

  @Override
  public void close() {
    deployments.close();
    stopServices();
    db.close();
  }
}
