package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sophia's container image as a user gets it: {@code bin/build-image.sh} builds it from the jar
 * this build packaged, Debian's {@code umoci} unpacks the archive into a root filesystem and the
 * runtime configuration an engine would use, and the entrypoint runs from that root filesystem with
 * the image's own Java runtime and libraries (chroot, in a mount namespace of its own with /dev and
 * /proc), as the image's user, until {@code /health} answers; then SIGTERM stops it with exit
 * status 0. A failsafe test: it runs after the package phase, which makes the jar.
 */
class ImageIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final Path ROOT = MODULE.getParent();

  @TempDir Path tmp;

  @Test
  void image_unpackedAndStartedFromItsRootFilesystem_runsAsSophiaAndAnswersHealth()
      throws Exception {
    Assumptions.assumeTrue(
        "0".equals(run(List.of("id", "-u"), Duration.ofSeconds(5)).strip()),
        "starting the image's root filesystem takes root (chroot, mount namespace)");
    Path jar = MODULE.resolve("target/sophia.jar");
    assertThat(jar).exists();
    ProcessBuilder build =
        new ProcessBuilder("bash", ROOT.resolve("bin/build-image.sh").toString());
    build.environment().put("SOPHIA_IMAGE_JAR", jar.toString());
    run(build, Duration.ofMinutes(10));
    Path archive = ROOT.resolve("target/image/sophia-oci.tar");
    assertThat(archive).isRegularFile();

    Path layout = Files.createDirectories(tmp.resolve("layout"));
    run(List.of("tar", "-xf", archive.toString(), "-C", layout.toString()), Duration.ofMinutes(2));
    Path bundle = tmp.resolve("bundle");
    String umoci = System.getenv().getOrDefault("SOPHIA_UMOCI", "umoci");
    run(
        List.of(umoci, "unpack", "--image", layout + ":latest", bundle.toString()),
        Duration.ofMinutes(3));
    Path rootfs = bundle.resolve("rootfs");

    JsonNode image = imageConfig(layout).path("config");
    assertThat(image.path("User").asText()).isEqualTo("10001:10001");
    assertThat(image.path("Volumes").has("/data")).isTrue();
    assertThat(image.path("ExposedPorts").has("8080/tcp")).isTrue();
    assertThat(image.path("Env").toString()).contains("SOPHIA_DATA_DIR=/data");
    JsonNode process = JSON.readTree(bundle.resolve("config.json").toFile()).path("process");
    int uid = process.path("user").path("uid").asInt();
    int gid = process.path("user").path("gid").asInt();
    assertThat(uid).isEqualTo(10001);
    List<String> args = new ArrayList<>();
    process.path("args").forEach(a -> args.add(a.asText()));
    assertThat(args)
        .startsWith("/opt/sophia/runtime/bin/java", "--add-modules", "jdk.incubator.vector")
        .endsWith("-jar", "/opt/sophia/sophia.jar", "serve");
    assertThat(Files.readString(rootfs.resolve("etc/passwd")))
        .contains("sophia:x:10001:10001:Sophia:/data:");
    assertThat(Files.getAttribute(rootfs.resolve("data"), "unix:uid")).isEqualTo(uid);
    assertThat(Files.getAttribute(rootfs, "unix:uid")).isEqualTo(0);

    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                "unshare",
                "--mount",
                "--fork",
                "--kill-child",
                "sh",
                "-c",
                "mount --rbind /dev \"$0/dev\" && mount -t proc proc \"$0/proc\""
                    + " && exec env -i \"$@\"",
                rootfs.toString()));
    for (JsonNode e : process.path("env")) {
      String v = e.asText();
      if (!v.startsWith("SOPHIA_SERVER_HOST=") && !v.startsWith("SOPHIA_SERVER_PORT=")) {
        command.add(v);
      }
    }
    command.add("SOPHIA_SERVER_HOST=127.0.0.1");
    command.add("SOPHIA_SERVER_PORT=" + port);
    command.addAll(List.of(chroot(), "--userspec=" + uid + ":" + gid, rootfs.toString()));
    command.addAll(args);
    Path log = tmp.resolve("server.log");
    Process server =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long started = System.nanoTime();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      int health = awaitAnswer(http, port, "/health", server, log);
      long healthyMs = (System.nanoTime() - started) / 1_000_000;
      System.out.println("image: /health answered " + health + " after " + healthyMs + " ms");
      assertThat(health).as(() -> read(log)).isEqualTo(200);
      assertThat(get(http, port, "/health/live")).isEqualTo(200);
      ProcessHandle java = server.descendants().filter(p -> p.isAlive()).findFirst().orElseThrow();
      assertThat(Files.readString(Path.of("/proc/" + java.pid() + "/status")))
          .containsPattern("(?m)^Uid:\\s+10001\\s");

      java.destroy(); // SIGTERM
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).as(() -> read(log)).isTrue();
      assertThat(server.exitValue()).as(() -> read(log)).isZero();
      assertThat(read(log)).contains("Sophia stopped serving");
    } finally {
      server.descendants().forEach(ProcessHandle::destroyForcibly);
      server.destroyForcibly();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The image's configuration: index.json, its first manifest, that manifest's config blob. */
  private static JsonNode imageConfig(Path layout) throws IOException {
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    JsonNode manifest = blob(layout, index.path("manifests").path(0).path("digest").asText());
    return blob(layout, manifest.path("config").path("digest").asText());
  }

  private static JsonNode blob(Path layout, String digest) throws IOException {
    return JSON.readTree(layout.resolve("blobs/sha256/" + digest.substring(7)).toFile());
  }

  private static String chroot() {
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
      if (Files.isExecutable(Path.of(dir, "chroot"))) {
        return dir + "/chroot";
      }
    }
    throw new AssertionError("no chroot on this machine (coreutils)");
  }

  /** The first status {@code path} answers, polled every 200 ms for at most two minutes. */
  private static int awaitAnswer(HttpClient http, int port, String path, Process server, Path log)
      throws Exception {
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < until) {
      assertThat(server.isAlive()).as(() -> "the image's server died:\n" + read(log)).isTrue();
      int status = get(http, port, path);
      if (status > 0) {
        return status;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the image's server never answered:\n" + read(log));
  }

  private static int get(HttpClient http, int port, String path) throws InterruptedException {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(20))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return 0;
    }
  }

  private static String run(List<String> command, Duration bound) throws Exception {
    return run(new ProcessBuilder(command), bound);
  }

  /** Runs a command to its end within {@code bound}; its output, asserting exit status 0. */
  private static String run(ProcessBuilder command, Duration bound) throws Exception {
    Path out = Files.createTempFile("image-it", ".log");
    try {
      Process p = command.redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command.command() + " took over " + bound + ":\n" + read(out));
      }
      assertThat(p.exitValue()).as(command.command() + ":\n" + read(out)).isZero();
      return read(out);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
