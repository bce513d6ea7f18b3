package ai.sophia.code;

import ai.sophia.error.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.treewalk.TreeWalk;

/** One fetched working copy, while its repository's lock is held: the git steps of a change. */
final class Workspace {
  private final Git git;
  private final Repository repo;
  private final GitAccess access;
  private final Redactor redactor;

  Workspace(Git git, GitAccess access, Redactor redactor) {
    this.git = git;
    this.repo = git.getRepository();
    this.access = access;
    this.redactor = redactor;
  }

  /** The commit a remote branch points at after the fetch, if it exists there. */
  Optional<RevCommit> remoteBranch(String branch) throws IOException {
    ObjectId id = repo.resolve("refs/remotes/origin/" + branch);
    if (id == null) {
      return Optional.empty();
    }
    try (RevWalk walk = new RevWalk(repo)) {
      return Optional.of(walk.parseCommit(id));
    }
  }

  /** A commit found on a remote branch, and the branch. */
  record Found(RevCommit commit, String branch) {}

  /**
   * The commit on any remote branch (among each branch's last {@code depth} first-parent commits)
   * whose message carries the footer {@code trailer: value}; the remote is the truth, so a commit
   * pushed just before a crash is found, and one that never got pushed is not.
   */
  Optional<Found> findByTrailer(String trailer, String value, int depth) throws IOException {
    String prefix = "refs/remotes/origin/";
    try (RevWalk walk = new RevWalk(repo)) {
      for (Ref ref : repo.getRefDatabase().getRefsByPrefix(prefix)) {
        if (ref.getName().equals(prefix + "HEAD") || ref.getObjectId() == null) {
          continue;
        }
        RevCommit c = walk.parseCommit(ref.getObjectId());
        for (int i = 0; i < depth && c != null; i++) {
          walk.parseBody(c);
          if (c.getFooterLines(trailer).contains(value)) {
            return Optional.of(new Found(c, ref.getName().substring(prefix.length())));
          }
          c = c.getParentCount() == 0 ? null : walk.parseCommit(c.getParent(0));
        }
      }
    }
    return Optional.empty();
  }

  /** True when {@code commit}'s tree already holds every file as the change wants it. */
  boolean holds(RevCommit commit, List<FileChange> files) throws IOException {
    for (FileChange f : files) {
      try (TreeWalk walk = TreeWalk.forPath(repo, f.path(), commit.getTree())) {
        if (f.delete()) {
          if (walk != null) {
            return false;
          }
        } else if (walk == null
            || !Arrays.equals(repo.open(walk.getObjectId(0)).getBytes(), f.bytes())) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Resets the working copy, points local {@code branch} at {@code start} and checks it out, then
   * writes the files and stages them.
   */
  void stage(String branch, RevCommit start, List<FileChange> files)
      throws GitAPIException, IOException {
    git.checkout().setName(start.getName()).setForced(true).call();
    git.reset().setMode(ResetCommand.ResetType.HARD).call();
    git.clean().setCleanDirectories(true).setIgnore(false).setForce(true).call();
    // The remote is the truth; a local branch left by an earlier change (a dry run's "a") would
    // block this one's ref ("a/b").
    dropLocalBranches();
    git.branchCreate().setName(branch).setStartPoint(start).setForce(true).call();
    git.checkout().setName(branch).setForced(true).call();
    Path top = repo.getWorkTree().toPath().toRealPath();
    for (int i = 0; i < files.size(); i++) {
      FileChange f = files.get(i);
      Path target = top.resolve(f.path()).normalize();
      String field = "files[" + i + "].path";
      if (!target.startsWith(top) || Files.isSymbolicLink(target)) {
        throw new InvalidInputException(field, "the path '" + f.path() + "' leaves the repository");
      }
      if (f.delete()) {
        if (!Files.exists(target)) {
          throw new InvalidInputException(
              field, "cannot delete '" + f.path() + "': it is not in " + start.getName());
        }
        git.rm().addFilepattern(f.path()).call();
        continue;
      }
      Files.createDirectories(target.getParent());
      // A symbolic link on the way could lead out of the repository.
      if (!target.getParent().toRealPath().startsWith(top)) {
        throw new InvalidInputException(field, "the path '" + f.path() + "' leaves the repository");
      }
      Files.write(target, f.bytes());
      git.add().addFilepattern(f.path()).call();
    }
  }

  /** The staged change as a unified diff; empty when the files already were as asked. */
  String stagedDiff() throws GitAPIException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<DiffEntry> entries = git.diff().setCached(true).setOutputStream(out).call();
    return entries.isEmpty() ? "" : out.toString(StandardCharsets.UTF_8);
  }

  /** Commits the staged change as {@code name <email>} at {@code when}. */
  RevCommit commit(String message, String name, String email, Instant when) throws GitAPIException {
    PersonIdent who = new PersonIdent(name, email, when, ZoneOffset.UTC);
    return git.commit()
        .setMessage(message)
        .setAuthor(who)
        .setCommitter(who)
        .setSign(false)
        .setNoVerify(true)
        .call();
  }

  /** Detaches the working copy at {@code start} and deletes local {@code branch} (a dry run's). */
  void dropBranch(String branch, RevCommit start) throws GitAPIException {
    git.checkout().setName(start.getName()).setForced(true).call();
    git.branchDelete().setBranchNames("refs/heads/" + branch).setForce(true).call();
  }

  private void dropLocalBranches() throws GitAPIException, IOException {
    String[] names =
        repo.getRefDatabase().getRefsByPrefix("refs/heads/").stream()
            .map(Ref::getName)
            .toArray(String[]::new);
    if (names.length > 0) {
      git.branchDelete().setBranchNames(names).setForce(true).call();
    }
  }

  /** Leaves the working copy clean again (after a dry run or a failure). */
  void discard() throws GitAPIException {
    git.reset().setMode(ResetCommand.ResetType.HARD).call();
    git.clean().setCleanDirectories(true).setIgnore(false).setForce(true).call();
  }

  /**
   * Pushes local {@code branch} to the remote branch of the same name.
   *
   * @throws PushConflictException when the remote branch moved (not a fast-forward)
   * @throws GitFailedException when the remote refused it for another reason
   */
  void push(String branch) throws GitAPIException {
    String ref = "refs/heads/" + branch;
    Iterable<PushResult> results =
        access
            .applyTo(git.push())
            .setRemote("origin")
            .setRefSpecs(new RefSpec(ref + ":" + ref))
            .setTimeout(Workspaces.TIMEOUT_SECONDS)
            .call();
    for (PushResult result : results) {
      RemoteRefUpdate update = result.getRemoteUpdate(ref);
      if (update == null) {
        continue;
      }
      switch (update.getStatus()) {
        case OK, UP_TO_DATE -> {}
        case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED ->
            throw new PushConflictException(
                "the push of branch "
                    + branch
                    + " was rejected: the remote branch moved meanwhile (not a fast-forward);"
                    + " nothing was overwritten. Look at the branch, then retry or choose another"
                    + " branch_name");
        default ->
            throw new GitFailedException(
                "the remote refused the push of branch "
                    + branch
                    + " ("
                    + update.getStatus()
                    + (update.getMessage() == null
                        ? ""
                        : ": " + redactor.clean(update.getMessage()))
                    + ")");
      }
    }
  }
}
