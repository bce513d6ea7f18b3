package ai.sophia.code;

import java.util.List;
import java.util.Objects;

/**
 * A request to change a repository: the files, and optionally the commit message (blank: {@code
 * code.message_template}), the branch (blank: {@code sophia/<slug>-<8 hex>} derived from the
 * request, so a retried request lands on the same branch), the pull request's title and the reason
 * it gives, draft or ready, dry run. {@code approveProtected} says a person allowed this change to
 * touch protected paths; {@code requestedBy} names who asked (an API key id, an agent run); {@code
 * idempotencyKey} makes the change at most once per key ({@link #withIdempotencyKey}).
 */
public record ChangeRequest(
    String repository,
    List<FileChange> files,
    String message,
    String branchName,
    String title,
    String reason,
    boolean draft,
    boolean dryRun,
    boolean approveProtected,
    String requestedBy,
    String idempotencyKey) {
  public ChangeRequest {
    Objects.requireNonNull(repository, "repository");
    files = List.copyOf(Objects.requireNonNull(files, "files"));
    message = message == null ? "" : message.strip();
    branchName = branchName == null ? "" : branchName.strip();
    title = title == null ? "" : title.strip();
    reason = reason == null ? "" : reason.strip();
    requestedBy = requestedBy == null ? "" : requestedBy;
    idempotencyKey = idempotencyKey == null ? "" : idempotencyKey.strip();
    if (idempotencyKey.length() > 500 || idempotencyKey.contains("\n")) {
      throw new IllegalArgumentException(
          "an idempotency key is one line of at most 500 characters");
    }
  }

  /** A ready (not draft), real (not dry-run) change of these files with every default. */
  public static ChangeRequest of(String repository, List<FileChange> files) {
    return new ChangeRequest(repository, files, "", "", "", "", false, false, false, "", "");
  }

  public ChangeRequest withMessage(String value) {
    return new ChangeRequest(
        repository,
        files,
        value,
        branchName,
        title,
        reason,
        draft,
        dryRun,
        approveProtected,
        requestedBy,
        idempotencyKey);
  }

  public ChangeRequest withBranch(String value) {
    return new ChangeRequest(
        repository,
        files,
        message,
        value,
        title,
        reason,
        draft,
        dryRun,
        approveProtected,
        requestedBy,
        idempotencyKey);
  }

  public ChangeRequest withPullRequest(String prTitle, String why, boolean asDraft) {
    return new ChangeRequest(
        repository,
        files,
        message,
        branchName,
        prTitle,
        why,
        asDraft,
        dryRun,
        approveProtected,
        requestedBy,
        idempotencyKey);
  }

  public ChangeRequest asDryRun(boolean value) {
    return new ChangeRequest(
        repository,
        files,
        message,
        branchName,
        title,
        reason,
        draft,
        value,
        approveProtected,
        requestedBy,
        idempotencyKey);
  }

  public ChangeRequest approvingProtected(boolean value) {
    return new ChangeRequest(
        repository,
        files,
        message,
        branchName,
        title,
        reason,
        draft,
        dryRun,
        value,
        requestedBy,
        idempotencyKey);
  }

  /**
   * A key that is the same every time this very change is retried (an agent's tool call in a swarm
   * step resumed after a crash): the change is made at most once per key, even when the retry's
   * files or message differ. Blank: none.
   */
  public ChangeRequest withIdempotencyKey(String value) {
    return new ChangeRequest(
        repository,
        files,
        message,
        branchName,
        title,
        reason,
        draft,
        dryRun,
        approveProtected,
        requestedBy,
        value);
  }

  public ChangeRequest requestedBy(String value) {
    return new ChangeRequest(
        repository,
        files,
        message,
        branchName,
        title,
        reason,
        draft,
        dryRun,
        approveProtected,
        value,
        idempotencyKey);
  }
}
