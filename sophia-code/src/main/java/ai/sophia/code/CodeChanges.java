package ai.sophia.code;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.SophiaException;
import ai.sophia.memory.OperationsStore;
import ai.sophia.memory.TaskExecution;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sophia's code changes: a request's files committed on their own branch from the fresh base
 * branch, pushed, and proposed as a pull request. Called by {@code POST /api/v1/code/modify}, the
 * {@code commit} tool and {@code sophia commit}.
 *
 * <p>Idempotency: the branch is named after a hash of the request ({@code sophia/<slug>-<8 hex>}),
 * so a retried request finds its branch already pushed with its files and returns that commit (and
 * the branch's open pull request) instead of making a second branch, commit or pull request. A
 * request with an idempotency key (an agent's commit call in a swarm step) is made at most once per
 * key, even when a retry's files or message differ (a model re-run after a crash writes other
 * words): the commit carries the key as a {@value #KEY_TRAILER} trailer, and before committing the
 * remote's branches are searched for it; found, that commit (and its pull request) is returned
 * instead of a new one. Every outcome, failures with their reason, lands in {@code task_executions}
 * as {@code code.modify}. Tokens come from the environment only and are redacted from every
 * message.
 */
public final class CodeChanges {
  private static final Logger log = LoggerFactory.getLogger(CodeChanges.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String OPERATION = "code.modify";

  /** The most of a change's diff its record keeps. */
  static final int MAX_RECORDED_DIFF = 65_536;

  /** How many recorded operations are read to find the newest code changes among them. */
  private static final int RECENT_WINDOW = 1000;

  static final String GIT_USER = "x-access-token";
  static final String KEY_TRAILER = "Sophia-Idempotency-Key";

  /** How far back on each branch a keyed commit is looked for. */
  private static final int KEY_SEARCH_DEPTH = 30;

  private final SophiaConfig.Code config;
  private final Secrets secrets;
  private final OperationsStore operations;
  private final Clock clock;
  private final ChangeGuard guard;
  private final Workspaces workspaces;
  private final GitHubPulls github;
  private volatile Runnable beforePush = () -> {};
  private final Path workspacesRoot;
  private final Map<String, GitAccess> sshAccess = new ConcurrentHashMap<>();

  private CodeChanges(
      SophiaConfig config, Secrets secrets, OperationsStore operations, Clock clock) {
    this.config = config.code();
    this.secrets = secrets;
    this.operations = operations;
    this.clock = clock;
    this.guard = new ChangeGuard(this.config);
    this.workspacesRoot = config.dataDir().resolve("workspaces");
    this.workspaces = new Workspaces(workspacesRoot);
    this.github =
        new GitHubPulls(
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
            Duration.ofMillis(this.config.githubWaitMaxMs()),
            clock);
  }

  /** The code changes of this configuration; tokens are read from {@code secrets} when used. */
  public static CodeChanges create(
      SophiaConfig config, Secrets secrets, OperationsStore operations, Clock clock) {
    return new CodeChanges(
        Objects.requireNonNull(config, "config"),
        Objects.requireNonNull(secrets, "secrets"),
        Objects.requireNonNull(operations, "operations"),
        Objects.requireNonNull(clock, "clock"));
  }

  /** How to reach a repository's remote: its SSH key (one factory per repository), or a token. */
  private GitAccess access(String name, SophiaConfig.Repository repo, Optional<String> token) {
    if (!repo.ssh()) {
      return GitAccess.token(GIT_USER, token.orElse(null));
    }
    return sshAccess.computeIfAbsent(
        name,
        n ->
            GitAccess.ssh(
                Path.of(repo.sshKeyFile()),
                Path.of(repo.knownHostsFile()),
                workspacesRoot.resolve(".ssh-" + n)));
  }

  /** The configured repositories' names, sorted. */
  public List<String> repositories() {
    return config.repositories().keySet().stream().sorted().toList();
  }

  /** Those of the paths that match {@code code.protected_paths}. */
  public List<String> protectedPaths(List<FileChange> files) {
    return guard.protectedIn(files);
  }

  /** Deletes the working copies of repositories no longer configured. */
  public void cleanup() {
    workspaces.cleanup(config.repositories().keySet());
  }

  /**
   * Makes the change: guards, commit on its branch, push, pull request. A dry run stops after the
   * diff and writes nothing.
   *
   * @throws InvalidInputException for a bad request (unknown repository, bad path, too large)
   * @throws ProtectedPathException when it touches protected paths without approval
   * @throws PushConflictException when the branch moved on the remote meanwhile
   * @throws GitFailedException when git could not fetch or push
   */
  public ChangeResult apply(ChangeRequest request) {
    Objects.requireNonNull(request, "request");
    Instant started = clock.instant();
    String taskId = "code_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try {
      ChangeResult result = change(request);
      record(taskId, started, request, result.dryRun() ? "dry_run" : "succeeded", result, "");
      return result;
    } catch (SophiaException e) {
      record(taskId, started, request, "failed", null, e.getMessage());
      throw e;
    }
  }

  private ChangeResult change(ChangeRequest request) {
    SophiaConfig.Repository repo = config.repositories().get(request.repository());
    if (repo == null) {
      throw new InvalidInputException(
          "repository",
          "unknown repository '"
              + request.repository()
              + "'; configured (code.repositories): "
              + repositories());
    }
    guard.check(request.files());
    List<String> protectedHits = guard.protectedIn(request.files());
    if (!protectedHits.isEmpty() && !request.approveProtected()) {
      throw new ProtectedPathException(
          protectedHits,
          "it needs a person's approval (code.protected_paths): an admin sends approve_protected,"
              + " an agent's commit call is put to a person, the CLI takes --approve-protected");
    }
    String base =
        repo.baseBranch() == null || repo.baseBranch().isBlank()
            ? config.baseBranch()
            : repo.baseBranch();
    boolean derived = request.branchName().isEmpty();
    String target = derived ? derivedBranch(request, base) : checkedBranch(request.branchName());
    Optional<String> token = secrets.get(repo.tokenEnv());
    Redactor redactor = new Redactor(token.stream().toList());
    GitAccess access = access(request.repository(), repo, token);
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    String written =
        request.message().isEmpty()
            ? config.messageTemplate().replace("{timestamp}", now.toString())
            : request.message();
    String key = request.idempotencyKey();
    String message = key.isEmpty() ? written : written.strip() + "\n\n" + KEY_TRAILER + ": " + key;
    Pushed pushed =
        workspaces.with(
            request.repository(),
            repo.url(),
            access,
            redactor,
            ws -> {
              RevCommit baseTip =
                  ws.remoteBranch(base)
                      .orElseThrow(
                          () ->
                              new GitFailedException(
                                  "the base branch '"
                                      + base
                                      + "' does not exist in repository '"
                                      + request.repository()
                                      + "'"));
              if (!key.isEmpty() && !request.dryRun()) {
                Optional<Workspace.Found> prior =
                    ws.findByTrailer(KEY_TRAILER, key, KEY_SEARCH_DEPTH);
                if (prior.isPresent()) {
                  return new Pushed(prior.get().commit().getName(), true, "", prior.get().branch());
                }
              }
              Optional<RevCommit> existing = ws.remoteBranch(target);
              boolean done = existing.isPresent() && ws.holds(existing.get(), request.files());
              if (done && !request.dryRun()) {
                return new Pushed(existing.get().getName(), true, "", target);
              }
              if (existing.isPresent() && derived && !request.dryRun()) {
                throw new PushConflictException(
                    "branch " + target + " already exists with other content; nothing was pushed");
              }
              // A named branch grows; a derived one (and any dry run of it) starts at the base.
              RevCommit start = existing.isPresent() && !derived ? existing.get() : baseTip;
              ws.stage(target, start, request.files());
              String diff = ws.stagedDiff();
              if (diff.isEmpty()) {
                ws.discard();
                throw new InvalidInputException(
                    "files",
                    "the change makes no difference: the files are already so on "
                        + (start == baseTip ? base : target)
                        + "; nothing to commit");
              }
              if (request.dryRun()) {
                ws.discard();
                ws.dropBranch(target, start);
                return new Pushed("", false, diff, target);
              }
              RevCommit commit = ws.commit(message, config.authorName(), config.authorEmail(), now);
              beforePush.run();
              ws.push(target);
              return new Pushed(commit.getName(), false, diff, target);
            });
    List<String> paths = request.files().stream().map(FileChange::path).toList();
    // A keyed change found done may sit on another branch than this request's derived one.
    String branch = pushed.branch();
    if (request.dryRun()) {
      return result(pushed, null, branch, paths, "dry_run", "nothing was written");
    }
    if (repo.github() == null) {
      return result(
          pushed,
          null,
          branch,
          paths,
          "no_pr_api",
          "repository '"
              + request.repository()
              + "' is a plain git remote without a pull-request API: branch "
              + branch
              + " was pushed; open the pull request there yourself");
    }
    String title =
        request.title().isEmpty() ? message.lines().findFirst().orElse("") : request.title();
    GitHubPulls.Outcome pr =
        github.open(
            repo.github(),
            token.orElse(""),
            redactor,
            new GitHubPulls.Pull(
                branch, base, title, body(request, pushed.commit(), message), request.draft()));
    return result(pushed, pr, branch, paths, pr.status(), pr.detail());
  }

  private ChangeResult result(
      Pushed pushed,
      GitHubPulls.Outcome pr,
      String branch,
      List<String> paths,
      String status,
      String detail) {
    return new ChangeResult(
        pushed.commit().isEmpty() ? null : pushed.commit(),
        pr == null ? null : pr.url(),
        pr == null ? null : pr.number(),
        branch,
        paths.getFirst(),
        paths,
        status,
        detail,
        pushed.reused(),
        pushed.commit().isEmpty(),
        pushed.diff(),
        clock.instant());
  }

  /** What the git part did: the commit (empty on a dry run), whether it was already there. */
  private record Pushed(String commit, boolean reused, String diff, String branch) {}

  private static String body(ChangeRequest request, String commit, String message) {
    StringBuilder b = new StringBuilder("Sophia made this change");
    b.append(
        request.requestedBy().isEmpty()
            ? "."
            : " at the request of " + request.requestedBy() + ".");
    b.append("\n\n**Why:** ")
        .append(request.reason().isEmpty() ? message : request.reason())
        .append("\n\n**Files:**\n");
    for (FileChange f : request.files()) {
      b.append("- `")
          .append(f.path())
          .append("` ")
          .append(f.delete() ? "(deleted)" : "(written)")
          .append('\n');
    }
    b.append("\nCommit ")
        .append(commit)
        .append(". Review it before merging: Sophia wrote it autonomously.");
    return b.toString();
  }

  /** {@code sophia/<slug>-<8 hex>}: the same request always yields the same branch. */
  static String derivedBranch(ChangeRequest request, String base) {
    String source =
        !request.title().isEmpty()
            ? request.title()
            : !request.message().isEmpty()
                ? request.message().lines().findFirst().orElse("")
                : request.files().getFirst().path().replaceAll(".*/", "");
    String slug =
        source.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (slug.length() > 30) {
      slug = slug.substring(0, 30).replaceAll("-+$", "");
    }
    if (slug.isEmpty()) {
      slug = "change";
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : List.of(request.repository(), base, request.message(), request.title())) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      for (FileChange f : request.files()) {
        sha.update(f.path().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(f.delete() ? new byte[] {'D'} : new byte[] {'W'});
        sha.update(f.bytes());
        sha.update((byte) 0);
      }
      return "sophia/" + slug + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static String checkedBranch(String name) {
    String why = null;
    if (!ChangeGuard.encodable(name)) {
      why = "holds an invalid character (a lone UTF-16 surrogate)";
    } else if (name.length() > 200) {
      why = "is longer than 200 characters";
    } else if (name.startsWith("-")) {
      why = "starts with '-'";
    } else if (!Repository.isValidRefName("refs/heads/" + name)) {
      why = "is not a valid git branch name";
    } else if (Arrays.stream(name.split("/")).anyMatch(ChangeGuard::tooLong)) {
      // Each part of a branch name is a file name in .git/refs.
      why = "has a part over " + ChangeGuard.MAX_NAME_BYTES + " bytes";
    }
    if (why != null) {
      throw new InvalidInputException(
          "branch_name", "branch_name " + why + "; a branch is like sophia/add-notes");
    }
    return name;
  }

  private void record(
      String id,
      Instant started,
      ChangeRequest request,
      String status,
      ChangeResult result,
      String reason) {
    Instant finished = clock.instant();
    ObjectNode detail = JSON.createObjectNode().put("repository", request.repository());
    var files = detail.putArray("files");
    request.files().forEach(f -> files.add(f.path()));
    detail.put("requested_by", request.requestedBy()).put("dry_run", request.dryRun());
    if (result != null) {
      detail
          .put("branch_name", result.branchName())
          .put("commit_hash", result.commitHash())
          .put("pr_url", result.prUrl())
          .put("github_status", result.githubStatus())
          .put("reused", result.reused());
      String diff = result.diff() == null ? "" : result.diff();
      // Kept for the dashboard's list of changes; a huge diff is cut, the commit has it whole.
      detail.put(
          "diff", diff.length() > MAX_RECORDED_DIFF ? diff.substring(0, MAX_RECORDED_DIFF) : diff);
      if (result.prNumber() != null) {
        detail.put("pr_number", result.prNumber());
      }
    }
    if (!reason.isEmpty()) {
      detail.put("reason", reason);
      log.info("code change to {} failed: {}", request.repository(), reason);
    }
    try {
      operations.recordTask(
          new TaskExecution(
              id,
              OPERATION,
              status,
              started,
              finished,
              Duration.between(started, finished).toMillis(),
              detail.toString()));
    } catch (RuntimeException e) {
      log.warn("could not record code change {}: {}", id, e.toString());
    }
  }

  /**
   * The newest recorded changes, newest first: each one's status, times and its detail ({@code
   * repository, files, requested_by, dry_run, branch_name, commit_hash, pr_url, pr_number,
   * github_status, reused, diff} or the {@code reason} it failed).
   */
  public List<TaskExecution> recent(int limit) {
    return operations.recentTasks(RECENT_WINDOW).stream()
        .filter(t -> t.operation().equals(OPERATION))
        .limit(limit)
        .toList();
  }

  /** Test hook: runs between the commit and the push (a concurrent push lands here). */
  void beforePush(Runnable hook) {
    this.beforePush = Objects.requireNonNull(hook, "hook");
  }
}
