package ai.sophia.code;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/** Real bare repositories on disk to push to, and a second person's clone that pushes too. */
public final class GitRemotes {
  private GitRemotes() {}

  /** A bare repository at {@code dir} whose {@code main} holds README.md and src/app.txt. */
  public static Path bare(Path dir) {
    try {
      Git.init().setBare(true).setInitialBranch("main").setDirectory(dir.toFile()).call().close();
      commitAs(
          dir, dir.resolveSibling(dir.getFileName() + "-seed"), "main", "README.md", "# Demo\n");
      commitAs(dir, dir.resolveSibling(dir.getFileName() + "-seed"), "main", "src/app.txt", "v1\n");
      return dir;
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Someone else commits {@code path} on {@code branch} through their own clone, and pushes. */
  public static String commitAs(Path bare, Path clone, String branch, String path, String text) {
    try {
      if (!Files.isDirectory(clone.resolve(".git"))) {
        Git.cloneRepository()
            .setURI(bare.toUri().toString())
            .setDirectory(clone.toFile())
            .call()
            .close();
      }
      try (Git git = Git.open(clone.toFile())) {
        git.fetch().setRemote("origin").call();
        Repository repo = git.getRepository();
        ObjectId start = repo.resolve("refs/remotes/origin/" + branch);
        if (start == null) {
          start = repo.resolve("refs/remotes/origin/main");
        }
        if (start == null) {
          git.checkout().setOrphan(true).setName("work").call();
        } else {
          git.checkout().setName(start.getName()).setForced(true).call();
          git.branchCreate().setName("work").setStartPoint(start.getName()).setForce(true).call();
          git.checkout().setName("work").call();
        }
        Path file = clone.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        git.add().addFilepattern(path).call();
        RevCommit c =
            git.commit()
                .setMessage("human: " + path)
                .setAuthor("Human", "h@example.com")
                .setCommitter("Human", "h@example.com")
                .setSign(false)
                .call();
        git.push()
            .setRemote("origin")
            .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("work:refs/heads/" + branch))
            .setForce(false)
            .call();
        return c.getName();
      }
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The commit a branch of the bare repository points at; null when it does not exist. */
  public static RevCommit tip(Path bare, String branch) {
    try (Repository repo = Git.open(bare.toFile()).getRepository();
        RevWalk walk = new RevWalk(repo)) {
      ObjectId id = repo.resolve("refs/heads/" + branch);
      return id == null ? null : walk.parseCommit(id);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every branch of the bare repository. */
  public static List<String> branches(Path bare) {
    try (Repository repo = Git.open(bare.toFile()).getRepository()) {
      return repo.getRefDatabase().getRefsByPrefix("refs/heads/").stream()
          .map(Ref::getName)
          .map(n -> n.substring("refs/heads/".length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A file's content at a branch of the bare repository; null when it is not there. */
  public static String read(Path bare, String branch, String path) {
    try (Repository repo = Git.open(bare.toFile()).getRepository();
        RevWalk walk = new RevWalk(repo)) {
      RevCommit c = walk.parseCommit(repo.resolve("refs/heads/" + branch));
      try (TreeWalk tw = TreeWalk.forPath(repo, path, c.getTree())) {
        return tw == null ? null : new String(repo.open(tw.getObjectId(0)).getBytes());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
