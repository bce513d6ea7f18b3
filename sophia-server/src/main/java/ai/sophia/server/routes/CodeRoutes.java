package ai.sophia.server.routes;

import ai.sophia.code.ChangeRequest;
import ai.sophia.code.ChangeResult;
import ai.sophia.code.CodeChanges;
import ai.sophia.code.FileChange;
import ai.sophia.error.ForbiddenException;
import ai.sophia.error.InvalidInputException;
import ai.sophia.memory.TaskExecution;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.Guard;
import ai.sophia.server.http.RequestBodies;
import ai.sophia.server.http.RequestParams;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code POST /api/v1/code/modify} (SPEC §2): commits files on a new branch, pushes it and opens a
 * pull request. A developer's or admin's explicit request, so it counts as authorized to write; a
 * change touching a protected path ({@code code.protected_paths}) also needs {@code
 * approve_protected: true}, which only an admin key may send (403 otherwise).
 */
public final class CodeRoutes {
  static final String DEFAULT_FILE = "auto_generated.md";
  static final int MAX_TEXT = 2000;
  private static final ObjectMapper DETAIL = new ObjectMapper();

  private final CodeChanges changes;
  private final RequestBodies bodies;

  public CodeRoutes(CodeChanges changes, RequestBodies bodies) {
    this.changes = Objects.requireNonNull(changes, "changes");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/code/modify", this::modify, Access.DECIDE);
    routes.get("/api/v1/code/changes", this::changes, Access.READ);
  }

  /**
   * {@code GET /api/v1/code/changes?limit=20}: the newest changes with their branch, PR and diff.
   */
  private void changes(Context ctx) {
    RequestParams.allowOnly(ctx, Set.of("limit"));
    int limit = RequestParams.integer(ctx, "limit", 20, 1, 200);
    List<Map<String, Object>> out = new ArrayList<>();
    for (TaskExecution t : changes.recent(limit)) {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("id", t.id());
      view.put("status", t.status());
      view.put("started_at", t.startedAt().toString());
      view.put("finished_at", t.finishedAt().toString());
      view.put("duration_ms", t.durationMs());
      view.put("detail", detail(t.detailJson()));
      out.add(view);
    }
    ctx.json(Map.of("changes", out));
  }

  private static JsonNode detail(String json) {
    try {
      return DETAIL.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a recorded code change is not JSON", e);
    }
  }

  /** The body: SPEC's {@code content, file_path} or several {@code files}, and the options. */
  record Modify(
      String repository,
      String content,
      String filePath,
      List<FileBody> files,
      String commitMessage,
      String branchName,
      String title,
      String reason,
      Boolean draft,
      Boolean dryRun,
      Boolean approveProtected) {}

  /** One file: {@code {path, content}} or {@code {path, delete: true}}. */
  record FileBody(String path, String content, Boolean delete) {}

  private void modify(Context ctx) {
    Modify body = bodies.read(ctx, Modify.class);
    boolean approve = Boolean.TRUE.equals(body.approveProtected());
    if (approve && !Guard.isAdmin(ctx)) {
      throw new ForbiddenException(
          "approve_protected needs an admin key: only an admin may let a change touch protected"
              + " paths");
    }
    ChangeRequest request =
        ChangeRequest.of(repository(body.repository()), files(body))
            .withMessage(text(body.commitMessage(), "commit_message"))
            .withBranch(text(body.branchName(), "branch_name"))
            .withPullRequest(
                text(body.title(), "title"),
                text(body.reason(), "reason"),
                Boolean.TRUE.equals(body.draft()))
            .asDryRun(Boolean.TRUE.equals(body.dryRun()))
            .approvingProtected(approve)
            .requestedBy("API key " + Guard.keyId(ctx).orElse("?"));
    ChangeResult result = changes.apply(request);
    ctx.status(result.dryRun() || result.reused() ? 200 : 201).json(result);
  }

  private String repository(String name) {
    if (name != null && !name.isBlank()) {
      return name.strip();
    }
    List<String> configured = changes.repositories();
    if (configured.size() == 1) {
      return configured.getFirst();
    }
    throw new InvalidInputException(
        "repository",
        configured.isEmpty()
            ? "no repository is configured (code.repositories); Sophia cannot commit anywhere yet"
            : "repository is required: one of " + configured);
  }

  private static List<FileChange> files(Modify body) {
    boolean single = body.content() != null || body.filePath() != null;
    if (body.files() != null && single) {
      throw new InvalidInputException(
          "files", "send either content (and file_path) or files, not both");
    }
    if (body.files() == null) {
      if (body.content() == null) {
        throw new InvalidInputException(
            "content", "content is required (or files: [{path, content | delete}])");
      }
      String path = body.filePath() == null ? DEFAULT_FILE : body.filePath();
      FileChange.checkPath(path, "file_path");
      return List.of(FileChange.write(path, body.content()));
    }
    List<FileChange> files = new ArrayList<>();
    for (int i = 0; i < body.files().size(); i++) {
      FileBody f = body.files().get(i);
      String field = "files[" + i + "]";
      if (f == null || f.path() == null) {
        throw new InvalidInputException(field + ".path", field + ".path is required");
      }
      boolean delete = Boolean.TRUE.equals(f.delete());
      if (delete == (f.content() != null)) {
        throw new InvalidInputException(
            field, field + " needs either content or delete: true (not both)");
      }
      files.add(delete ? FileChange.remove(f.path()) : FileChange.write(f.path(), f.content()));
    }
    return files;
  }

  private static String text(String value, String field) {
    if (value != null && value.length() > MAX_TEXT) {
      throw new InvalidInputException(field, field + " is at most " + MAX_TEXT + " characters");
    }
    return value == null ? "" : value;
  }
}
