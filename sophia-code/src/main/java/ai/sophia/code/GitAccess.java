package ai.sophia.code;

import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * How Sophia reaches one repository's remote: over https with a token (as the user {@code
 * x-access-token}), or over SSH (JGit's Apache MINA SSH transport) with the private key file the
 * repository names and only the host keys its known-hosts file lists — an unknown host key is
 * refused, never trusted on first use. Local paths and {@code file://} need neither. Applied to
 * every clone, fetch and push.
 */
final class GitAccess {
  private final CredentialsProvider credentials;
  private final SshdSessionFactory ssh;

  private GitAccess(CredentialsProvider credentials, SshdSessionFactory ssh) {
    this.credentials = credentials;
    this.ssh = ssh;
  }

  /** A token for https remotes (empty: none). */
  static GitAccess token(String user, String token) {
    return new GitAccess(
        token == null || token.isEmpty()
            ? null
            : new UsernamePasswordCredentialsProvider(user, token),
        null);
  }

  /**
   * SSH with {@code keyFile} as the only identity and {@code knownHosts} as the only trusted host
   * keys; {@code home} holds nothing Sophia reads (no {@code ~/.ssh/config} of the user applies).
   */
  static GitAccess ssh(Path keyFile, Path knownHosts, Path home) {
    SshdSessionFactory factory =
        new SshdSessionFactoryBuilder()
            .setHomeDirectory(home.toFile())
            .setSshDirectory(home.toFile())
            .setDefaultIdentities(dir -> List.of(keyFile))
            .setDefaultKnownHostsFiles(dir -> List.of(knownHosts))
            .setConfigFile(dir -> null)
            .build(new JGitKeyCache());
    return new GitAccess(null, factory);
  }

  /** {@code command} with this access's credentials and transport. */
  <C extends TransportCommand<C, ?>> C applyTo(C command) {
    command.setCredentialsProvider(credentials);
    if (ssh != null) {
      command.setTransportConfigCallback(
          transport -> {
            if (transport instanceof SshTransport s) {
              s.setSshSessionFactory(ssh);
            }
          });
    }
    return command;
  }
}
