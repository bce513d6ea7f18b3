package ai.sophia.code;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TrackingRefUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Concurrency: one working copy per repository under data_dir/workspaces/<name>. Every use of a
 * working copy holds its repository's lock — an in-process lock, then an OS file lock on
 * <name>.lock, so that a server and a CLI on the same data directory also take turns. Writers to
 * the same repository are therefore serialized; different repositories proceed in parallel.
 */

/** The working copies of the configured repositories: cloned once, fetched before every use. */
final class Workspaces {
  private static final Logger log = LoggerFactory.getLogger(Workspaces.class);
  static final int TIMEOUT_SECONDS = 60;

  static final String SHOWN_ROOT = "<workspaces>";

  private final Path root;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  Workspaces(Path root) {
    this.root = root;
  }

  /** What to do with a fresh working copy. */
  interface Work<R> {
    R run(Workspace workspace) throws GitAPIException, IOException;
  }

  /**
   * Runs {@code work} on the working copy of {@code name}, cloned from {@code url} on first use and
   * fetched (pruned) before {@code work} sees it; holds the repository's lock throughout.
   */
  <R> R with(String name, String url, GitAccess access, Redactor redactor, Work<R> work) {
    ReentrantLock lock = locks.computeIfAbsent(name, n -> new ReentrantLock());
    lock.lock();
    try {
      Files.createDirectories(root);
      try (FileChannel channel =
              FileChannel.open(
                  root.resolve(name + ".lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock ignored = channel.lock();
          Git git = open(name, url, access)) {
        removeStaleLocks(name, root.resolve(name).resolve(".git"));
        FetchResult fetched =
            access
                .applyTo(git.fetch())
                .setRemote("origin")
                .setRefSpecs(new RefSpec("+refs/heads/*:refs/remotes/origin/*"))
                .setRemoveDeletedRefs(true)
                .setTimeout(TIMEOUT_SECONDS)
                .call();
        requireTracked(name, fetched);
        return work.run(new Workspace(git, access, redactor));
      }
    } catch (GitAPIException | JGitInternalException e) {
      throw new GitFailedException(
          "git failed on repository '" + name + "': " + shown(redactor, rootMessage(e)));
    } catch (IOException e) {
      throw new GitFailedException(
          "the working copy of repository '"
              + name
              + "' failed: "
              + shown(redactor, rootMessage(e)));
    } finally {
      lock.unlock();
    }
  }

  /**
   * A git message as a client may see it: no token, and no path of the server's (the working
   * copies' folder is shown as {@value #SHOWN_ROOT}).
   */
  private String shown(Redactor redactor, String message) {
    String out = redactor.clean(message);
    for (String path : rootSpellings()) {
      out = out.replace(path, SHOWN_ROOT);
    }
    return out;
  }

  private List<String> rootSpellings() {
    List<String> spellings = new ArrayList<>();
    spellings.add(root.toAbsolutePath().normalize().toString());
    try {
      spellings.add(root.toRealPath().toString());
    } catch (IOException e) {
      // Not there yet: only the absolute spelling can appear.
    }
    // Longest first, so a prefix does not leave part of a longer spelling behind.
    spellings.sort(Comparator.comparingInt(String::length).reversed());
    return spellings;
  }

  /** Deletes the working copies of repositories that are no longer configured. */
  void cleanup(Set<String> configured) {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> entries = Files.list(root)) {
      for (Path dir : entries.filter(Files::isDirectory).toList()) {
        String name = dir.getFileName().toString();
        if (!configured.contains(name)) {
          remove(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  /** Deletes one working copy (it is cloned again on next use). */
  void remove(String name) {
    ReentrantLock lock = locks.computeIfAbsent(name, n -> new ReentrantLock());
    lock.lock();
    try {
      deleteTree(root.resolve(name));
      log.info("removed the working copy of repository {}", name);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Deletes the {@code .lock} files a process killed in the middle of a git step left in the
   * working copy. Both locks are held here, so no live process owns one. Left in place, a lock on a
   * remote-tracking ref makes the next fetch skip that ref without an error (JGit reports it as a
   * LOCK_FAILURE in the result only), and an idempotent commit would not see the commit it already
   * pushed.
   */
  private static void removeStaleLocks(String name, Path gitDir) throws IOException {
    if (!Files.isDirectory(gitDir)) {
      return;
    }
    List<Path> stale;
    try (Stream<Path> walk = Files.walk(gitDir)) {
      stale =
          walk.filter(p -> p.getFileName().toString().endsWith(".lock"))
              .filter(Files::isRegularFile)
              .toList();
    }
    for (Path p : stale) {
      Files.deleteIfExists(p);
    }
    if (!stale.isEmpty()) {
      log.warn(
          "removed {} lock file(s) an interrupted git step left in the working copy of {}",
          stale.size(),
          name);
    }
  }

  /**
   * Fails unless every remote branch the fetch saw is now tracked as it is on the remote: the work
   * that follows (finding a commit by its idempotency key, comparing a branch) reads the tracking
   * refs, and a stale one would make it commit twice.
   */
  private static void requireTracked(String name, FetchResult fetched) {
    for (TrackingRefUpdate u : fetched.getTrackingRefUpdates()) {
      RefUpdate.Result r = u.getResult();
      boolean landed =
          switch (r) {
            case NEW, FORCED, FAST_FORWARD, NO_CHANGE, RENAMED -> true;
            default -> false;
          };
      if (!landed) {
        throw new GitFailedException(
            "the working copy of repository '"
                + name
                + "' could not update "
                + u.getLocalName()
                + " ("
                + r
                + "); nothing was changed");
      }
    }
  }

  private Git open(String name, String url, GitAccess access) throws GitAPIException, IOException {
    Path dir = root.resolve(name);
    if (Files.isDirectory(dir.resolve(".git"))) {
      Git git = Git.open(dir.toFile());
      StoredConfig config = git.getRepository().getConfig();
      if (url.equals(config.getString("remote", "origin", "url"))) {
        return git;
      }
      // The configured url changed: start again from the new remote.
      git.close();
      deleteTree(dir);
    } else if (Files.exists(dir)) {
      deleteTree(dir);
    }
    log.info("cloning repository {} into its working copy", name);
    return access
        .applyTo(Git.cloneRepository())
        .setURI(url)
        .setDirectory(dir.toFile())
        .setNoCheckout(true)
        .setTimeout(TIMEOUT_SECONDS)
        .call();
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    String top = e.getMessage();
    return top != null && !top.equals(m) && !top.contains(m) ? top + ": " + m : m;
  }
}
