package ai.sophia.cli;

import ai.sophia.code.ChangeRequest;
import ai.sophia.code.ChangeResult;
import ai.sophia.code.FileChange;
import ai.sophia.error.InvalidInputException;
import ai.sophia.server.Sophia;
import ai.sophia.server.http.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sophia commit}: commits local files to a configured repository on a new branch, pushes it
 * and opens a pull request — the same change as {@code POST /api/v1/code/modify}. A person at the
 * terminal is its author: protected paths need {@code --approve-protected}.
 */
@Command(
    name = "commit",
    description =
        "Commit files to a configured repository on a new branch, push it and open a pull"
            + " request.")
final class CommitCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(names = "--repo", required = true, description = "The repository (code.repositories).")
  String repository;

  @Option(
      names = "--file",
      paramLabel = "PATH[=SOURCE]",
      description =
          "A file to write at PATH in the repository, read from the local file SOURCE (default:"
              + " the local file PATH). Repeatable.")
  List<String> files = new ArrayList<>();

  @Option(names = "--delete", paramLabel = "PATH", description = "A file to delete. Repeatable.")
  List<String> deletions = new ArrayList<>();

  @Option(names = "--message", description = "Commit message (default: code.message_template).")
  String message;

  @Option(names = "--branch", description = "Branch (default: sophia/<slug>-<8 hex>).")
  String branch;

  @Option(names = "--title", description = "Pull request title (default: the message).")
  String title;

  @Option(names = "--reason", description = "Why, for the pull request's reviewer.")
  String reason;

  @Option(names = "--draft", description = "Open the pull request as a draft.")
  boolean draft;

  @Option(names = "--dry-run", description = "Show the diff; write nothing.")
  boolean dryRun;

  @Option(
      names = "--approve-protected",
      description = "Allow this change to touch protected paths (code.protected_paths).")
  boolean approveProtected;

  @Option(names = "--json", description = "Print the result as JSON (the API's response).")
  boolean json;

  @Override
  public Integer call() throws JsonProcessingException {
    List<FileChange> changes = new ArrayList<>();
    for (String spec : files) {
      changes.add(read(spec));
    }
    deletions.forEach(path -> changes.add(FileChange.remove(path)));
    if (changes.isEmpty()) {
      throw new InvalidInputException(
          "--file", "give at least one --file PATH[=SOURCE] or --delete");
    }
    ChangeRequest request =
        ChangeRequest.of(repository, changes)
            .withMessage(message)
            .withBranch(branch)
            .withPullRequest(title, reason, draft)
            .asDryRun(dryRun)
            .approvingProtected(approveProtected)
            .requestedBy("the command line (" + System.getProperty("user.name", "?") + ")");
    ChangeResult r = Sophia.withCodeChanges(main.config(), main.env(), code -> code.apply(request));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
    } else if (r.dryRun()) {
      out.print(r.diff());
      out.println("dry run: nothing was written (branch would be " + r.branchName() + ")");
    } else {
      out.println((r.reused() ? "already committed " : "committed ") + r.commitHash());
      out.println("branch       " + r.branchName());
      out.println("files        " + String.join(", ", r.filePaths()));
      out.println(
          "pull request "
              + (r.prUrl() == null ? "none" : "#" + r.prNumber() + " " + r.prUrl())
              + " ("
              + r.githubStatus()
              + (r.githubDetail().isEmpty() ? "" : ": " + r.githubDetail())
              + ")");
    }
    out.flush();
    return 0;
  }

  private static FileChange read(String spec) {
    int eq = spec.indexOf('=');
    String path = eq < 0 ? spec : spec.substring(0, eq);
    Path source = Path.of(eq < 0 ? spec : spec.substring(eq + 1));
    if (!Files.isRegularFile(source)) {
      throw new InvalidInputException("--file", "cannot read " + source + ": no such file");
    }
    try {
      byte[] bytes = Files.readAllBytes(source);
      String text =
          StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
      return FileChange.write(path, text);
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(
          "--file", source + " is not UTF-8 text; Sophia commits text files only");
    } catch (IOException e) {
      throw new InvalidInputException("--file", "cannot read " + source + ": " + e.getMessage());
    }
  }
}
