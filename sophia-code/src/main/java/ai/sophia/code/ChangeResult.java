package ai.sophia.code;

import java.time.Instant;
import java.util.List;

/**
 * What a change did (SPEC §2): the commit on {@code branchName}, the pull request if one was opened
 * or found ({@code prUrl} and {@code prNumber} null otherwise), the files, and {@code
 * githubStatus}:
 *
 * <ul>
 *   <li>{@code created} — a new pull request; {@code exists} — the branch's open pull request;
 *   <li>{@code no_pr_api} — a plain git remote: the branch was pushed, no pull request is possible;
 *   <li>{@code rate_limited}, {@code conflict}, {@code failed} — the branch was pushed but GitHub
 *       did not open the pull request ({@code githubDetail} says why; retrying the request tries
 *       again);
 *   <li>{@code dry_run} — nothing was written; {@code diff} shows what would be.
 * </ul>
 *
 * {@code reused} is true when a retried request found its branch already pushed.
 */
public record ChangeResult(
    String commitHash,
    String prUrl,
    Integer prNumber,
    String branchName,
    String filePath,
    List<String> filePaths,
    String githubStatus,
    String githubDetail,
    boolean reused,
    boolean dryRun,
    String diff,
    Instant timestamp) {
  public ChangeResult {
    filePaths = List.copyOf(filePaths);
  }
}
