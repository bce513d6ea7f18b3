package ai.sophia.memory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real Elasticsearch 8.19 node for the tests, one per build, as {@link TestPostgres} runs
 * PostgreSQL: the first test JVM that asks starts it (single-node, security off, on free loopback
 * ports, heap 256–512 MB, disk watermarks off so a full-ish disk never makes it read-only) in a
 * folder under the temporary directory named after the project; the test JVMs after it find it
 * there (a file lock keeps two from starting it at once). A heartbeat file that every JVM using it
 * touches, and a watchdog started with the node, stop it and delete its folder once nothing used it
 * for {@value TestServers#IDLE_SECONDS} s. It refuses to run as root, so as root it runs as {@code
 * sophia-es} ({@code runuser}). {@code bin/setup-elasticsearch.sh} fetches it (from Maven Central)
 * and creates that user; the distribution is found in {@code SOPHIA_ES_HOME} or where that script
 * puts it, the JDK 17 it runs on in {@code SOPHIA_ES_JAVA_HOME} or Debian's.
 *
 * <p>Each caller gets indexes of its own by prefix (with this JVM's token, so JVMs never share
 * one); they are deleted when the JVM exits.
 */
public final class TestElasticsearch {
  static final String VERSION = "8.19.3";
  private static final String RUN_AS = "sophia-es";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static TestElasticsearch instance;
  private static RuntimeException failed;

  private final int port;
  private final String token = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  private final Set<String> prefixes = new LinkedHashSet<>();

  private TestElasticsearch(int port) {
    this.port = port;
  }

  /** The node, started (or found running) on first call. */
  public static synchronized TestElasticsearch get() {
    if (failed != null) {
      throw failed;
    }
    if (instance == null) {
      try {
        instance = new TestElasticsearch(startOrFind());
        Runtime.getRuntime().addShutdownHook(new Thread(instance::deleteAll));
      } catch (RuntimeException e) {
        failed = e; // once: every later test fails at once with the same reason
        throw e;
      }
    }
    return instance;
  }

  /** A request to this node ({@link #request}). */
  public String call(String method, String path, String json) {
    return request(method, port, path, json);
  }

  /** The node's HTTP URL. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** This JVM's index prefix for {@code name} (lower case letters, digits, '-'). */
  public synchronized String prefix(String name) {
    String prefix = "t-" + token + "-" + name + "-";
    if (!prefix.matches("[a-z0-9-]{1,60}")) {
      throw new IllegalArgumentException("index prefix " + prefix);
    }
    prefixes.add(prefix);
    return prefix;
  }

  /** Opens the index named {@code name} for vectors of {@code model}. */
  public static ElasticsearchDocumentIndex open(String name, String model) {
    TestElasticsearch es = get();
    return ElasticsearchDocumentIndex.open(
        List.of(es.url()),
        "",
        Optional.empty(),
        Optional.empty(),
        es.prefix(name),
        Duration.ofSeconds(30),
        model,
        PageFusion.standard());
  }

  /** An index for {@code dir}: the same directory always names the same index. */
  public static ElasticsearchDocumentIndex open(Path dir, String model) {
    String path = dir.toAbsolutePath().toString();
    return open("d" + Integer.toUnsignedString(path.hashCode(), 36), model);
  }

  /** At exit: this JVM's indexes go, the node stays for the next JVM. */
  private synchronized void deleteAll() {
    for (String prefix : prefixes) {
      try {
        request("DELETE", port, "/" + prefix + "chunks?ignore_unavailable=true");
      } catch (IllegalStateException e) {
        // the node is gone already
      }
    }
  }

  private static int startOrFind() {
    Path javaHome = javaHome();
    Path esHome = esHome();
    if (!Files.isExecutable(esHome.resolve("bin/elasticsearch"))) {
      throw new IllegalStateException(
          "Elasticsearch "
              + VERSION
              + " is not at "
              + esHome
              + ": run bin/setup-elasticsearch.sh (or set SOPHIA_ES_HOME)");
    }
    if (!Files.isExecutable(javaHome.resolve("bin/java"))) {
      throw new IllegalStateException(
          "no JDK 17 for Elasticsearch at " + javaHome + ": set SOPHIA_ES_JAVA_HOME");
    }
    return TestServers.startOrFind(
        "es", TestElasticsearch::answers, home -> start(esHome, javaHome, home));
  }

  /** Where {@code bin/setup-elasticsearch.sh} unpacked the distribution. */
  static Path esHome() {
    String configured = System.getenv("SOPHIA_ES_HOME");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    Path cache =
        TestServers.root()
            ? Path.of("/var/cache/sophia")
            : Path.of(System.getProperty("user.home"), ".cache", "sophia");
    return cache.resolve("elasticsearch-" + VERSION);
  }

  static boolean answers(int port) {
    try {
      return request("GET", port, "/_cluster/health").contains("\"status\"");
    } catch (IllegalStateException e) {
      return false;
    }
  }

  /** Starts a single-node cluster on free ports in {@code home}; its HTTP port once it answers. */
  static int start(Path esHome, Path javaHome, Path home) throws IOException {
    int port = freePort();
    start(
        esHome,
        javaHome,
        home,
        port,
        freePort(),
        "sophia-test-" + Integer.toHexString(home.hashCode()),
        List.of("-Ediscovery.type=single-node"));
    return port;
  }

  /**
   * Starts a node of cluster {@code cluster} in {@code home} on the given ports with more {@code
   * -E} settings, and its watchdog; returns once it answers HTTP.
   */
  static void start(
      Path esHome,
      Path javaHome,
      Path home,
      int port,
      int transport,
      String cluster,
      List<String> settings)
      throws IOException {
    Path config = home.resolve("config");
    run(List.of("rm", "-rf", config.toString(), home.resolve("data").toString()), home);
    run(List.of("cp", "-r", esHome.resolve("config").toString(), config.toString()), home);
    if (TestServers.root()) {
      run(List.of("chown", "-R", RUN_AS, home.toString()), home);
    }
    Path pid = home.resolve("pid");
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "env",
            "ES_JAVA_HOME=" + javaHome,
            "ES_PATH_CONF=" + config,
            "ES_JAVA_OPTS=-Xms256m -Xmx512m",
            esHome.resolve("bin/elasticsearch").toString(),
            "-d",
            "-p",
            pid.toString(),
            "-Expack.security.enabled=false",
            "-Enetwork.host=127.0.0.1",
            "-Ehttp.port=" + port,
            "-Etransport.port=" + transport,
            "-Epath.data=" + home.resolve("data"),
            "-Epath.logs=" + home.resolve("logs"),
            "-Ecluster.routing.allocation.disk.threshold_enabled=false",
            "-Ecluster.name=" + cluster));
    command.addAll(settings);
    run(TestServers.asUser(RUN_AS, command), home);
    waitUntilAnswers(port, Duration.ofSeconds(90));
    // The watchdog: stops the node and deletes its folder once no test JVM has beaten lately.
    TestServers.watchdog(home, "kill $(cat '" + pid + "'); sleep 10");
  }

  /** The JDK 17 Elasticsearch runs on. */
  static Path javaHome() {
    return Path.of(
        System.getenv().getOrDefault("SOPHIA_ES_JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64"));
  }

  static void waitUntilAnswers(int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!answers(port)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the test Elasticsearch did not answer on port " + port + " within " + timeout);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** One HTTP request to the node; its body, or IllegalStateException when it does not answer. */
  static String request(String method, int port, String path) {
    return request(method, port, path, "");
  }

  /** {@link #request} with a JSON body. */
  static String request(String method, int port, String path, String json) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(10))
                  .header("Content-Type", "application/json")
                  .method(
                      method,
                      json.isEmpty()
                          ? HttpRequest.BodyPublishers.noBody()
                          : HttpRequest.BodyPublishers.ofString(json))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void run(List<String> command, Path dir) {
    TestServers.run(command, dir);
  }

  static int freePort() throws IOException {
    return TestServers.freePort();
  }
}
