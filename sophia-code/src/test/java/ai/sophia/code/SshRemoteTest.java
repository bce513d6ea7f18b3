package ai.sophia.code;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits over an SSH remote: a real OpenSSH sshd (Debian's, installed by bin/setup-ssh.sh) on a
 * free loopback port, with a host key and a client key made by the test, serving a bare repository
 * through git-upload-pack and git-receive-pack; Sophia reaches it with JGit's Apache MINA SSH
 * transport, its key file and a known-hosts file. A host key the known-hosts file does not list is
 * refused.
 */
class SshRemoteTest {
  static final Path SSHD = Path.of(System.getenv().getOrDefault("SOPHIA_SSHD", "/usr/sbin/sshd"));

  @TempDir Path tmp;
  Process sshd;
  int port;
  Path bare;

  @BeforeEach
  void startSshd() throws Exception {
    assertThat(SSHD).as("sshd (bin/setup-ssh.sh installs it)").isExecutable();
    bare = GitRemotes.bare(tmp.resolve("srv/demo.git"));
    keygen(tmp.resolve("host_key"));
    keygen(tmp.resolve("client_key"));
    Files.copy(tmp.resolve("client_key.pub"), tmp.resolve("authorized_keys"));
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.createDirectories(Path.of("/run/sshd")); // privilege separation, when run as root
    Path config =
        Files.writeString(
            tmp.resolve("sshd_config"),
            String.join(
                "\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + tmp.resolve("host_key"),
                "AuthorizedKeysFile " + tmp.resolve("authorized_keys"),
                "PidFile " + tmp.resolve("sshd.pid"),
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                // The test's folder is under /tmp, which anyone may write to.
                "StrictModes no",
                ""));
    sshd =
        new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("sshd.log").toFile())
            .start();
    awaitPort();
  }

  @AfterEach
  void stopSshd() throws InterruptedException {
    if (sshd != null) {
      sshd.destroy();
      sshd.waitFor();
    }
  }

  private CodeFixture fixture(String dir, Path knownHosts) {
    String url = "ssh://" + System.getProperty("user.name") + "@127.0.0.1:" + port + bare;
    return new CodeFixture(
        tmp.resolve(dir),
        "    demo:\n      url: "
            + url
            + "\n      ssh_key_file: "
            + tmp.resolve("client_key")
            + "\n      known_hosts_file: "
            + knownHosts
            + "\n",
        Map.of());
  }

  @Test
  void apply_overSsh_clonesAndPushesTheCommit() throws Exception {
    Path known =
        Files.writeString(
            tmp.resolve("known_hosts"),
            "[127.0.0.1]:" + port + " " + Files.readString(tmp.resolve("host_key.pub")));
    try (CodeFixture f = fixture("data", known)) {
      ChangeResult r =
          f.changes.apply(
              ChangeRequest.of("demo", List.of(FileChange.write("notes/ssh.md", "over ssh\n"))));

      assertThat(GitRemotes.read(bare, r.branchName(), "notes/ssh.md")).isEqualTo("over ssh\n");
      assertThat(GitRemotes.tip(bare, r.branchName()).getName()).isEqualTo(r.commitHash());
      assertThat(Files.readString(tmp.resolve("sshd.log"))).contains("Accepted publickey");
    }
  }

  @Test
  void apply_hostKeyNotInKnownHosts_refusedAndNothingPushed() throws Exception {
    keygen(tmp.resolve("other_key"));
    Path known =
        Files.writeString(
            tmp.resolve("known_hosts_other"),
            "[127.0.0.1]:" + port + " " + Files.readString(tmp.resolve("other_key.pub")));
    try (CodeFixture f = fixture("data-other", known)) {
      assertThatThrownBy(
              () ->
                  f.changes.apply(
                      ChangeRequest.of("demo", List.of(FileChange.write("x.txt", "x\n")))))
          .isInstanceOf(GitFailedException.class)
          .hasMessageContaining("repository 'demo'");
      assertThat(GitRemotes.branches(bare)).containsExactly("main");
    }
  }

  private static void keygen(Path file) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "ssh-keygen",
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                "sophia-test",
                "-f",
                file.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
  }

  private void awaitPort() throws Exception {
    Instant until = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(until)) {
      assertThat(sshd.isAlive()).as(() -> log()).isTrue();
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("sshd did not listen: " + log());
  }

  private String log() {
    try {
      return Files.readString(tmp.resolve("sshd.log"));
    } catch (IOException e) {
      return e.toString();
    }
  }
}
