package ai.sophia.code;

import ai.sophia.error.InvalidInputException;
import ai.sophia.error.SophiaException;
import ai.sophia.tool.Risk;
import ai.sophia.tool.Tool;
import ai.sophia.tool.ToolContext;
import ai.sophia.tool.ToolOutput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code commit}: commits files to a configured repository on a new branch, pushes it and opens a
 * pull request. Write risk: it runs when the request authorized {@code write} or a person approved
 * the call — and a call touching a protected path ({@code code.protected_paths}) is always put to a
 * person ({@link #needsApproval}), even when write was authorized. A retried call with the same
 * arguments lands on the same branch and returns the same commit and pull request; a call with the
 * same idempotency key as one already pushed (a swarm step re-run after a crash) returns that
 * commit and pull request even when its arguments differ.
 */
public final class CommitTool implements Tool {
  public static final String NAME = "commit";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS =
      Set.of("repository", "files", "message", "title", "reason", "draft");
  private static final Set<String> FILE_FIELDS = Set.of("path", "content", "delete");

  private final CodeChanges changes;
  private final JsonNode schema;

  private CommitTool(CodeChanges changes) {
    this.changes = changes;
    this.schema = schema(changes.repositories());
  }

  public static CommitTool create(CodeChanges changes) {
    return new CommitTool(Objects.requireNonNull(changes, "changes"));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Commit files to a repository on a new branch and open a pull request. Give the"
        + " repository, the files (path and full new content, or delete: true), and why.";
  }

  @Override
  public JsonNode parameters() {
    return schema;
  }

  @Override
  public Risk risk() {
    return Risk.write;
  }

  @Override
  public Optional<String> unavailable() {
    return changes.repositories().isEmpty()
        ? Optional.of("no repository is configured (code.repositories)")
        : Optional.empty();
  }

  @Override
  public boolean needsApproval(JsonNode arguments) {
    try {
      return !changes.protectedPaths(files(arguments)).isEmpty();
    } catch (Bad | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The change the commit tool's arguments ask for — {@code repository}, {@code files} ({@code
   * path} and {@code content}, or {@code delete: true}), {@code message}, {@code title}, {@code
   * reason}, {@code draft} — requested by {@code requestedBy}. Shared with the MCP server's {@code
   * code_modify}, which adds its own options.
   *
   * @throws InvalidInputException naming what is wrong with the arguments
   */
  public static ChangeRequest request(JsonNode arguments, String requestedBy) {
    try {
      only(arguments, FIELDS, "arguments");
      return ChangeRequest.of(text(arguments, "repository", true), files(arguments))
          .withMessage(text(arguments, "message", false))
          .withPullRequest(
              text(arguments, "title", false),
              text(arguments, "reason", false),
              arguments.path("draft").asBoolean(false))
          .requestedBy(requestedBy);
    } catch (Bad | IllegalArgumentException e) {
      throw new InvalidInputException("arguments", e.getMessage());
    }
  }

  @Override
  public ToolOutput invoke(JsonNode arguments, ToolContext context) {
    ChangeRequest request;
    try {
      request =
          request(arguments, "agent " + context.agent() + " (run " + context.runId() + ")")
              // The runtime asked a person before this call if it touches a protected path.
              .approvingProtected(true)
              .withIdempotencyKey(context.idempotencyKey());
    } catch (InvalidInputException e) {
      return new ToolOutput.Failure("commit: " + e.getMessage());
    }
    try {
      ChangeResult r = changes.apply(request);
      StringBuilder text =
          new StringBuilder(r.reused() ? "Already committed " : "Committed ")
              .append(r.commitHash())
              .append(" on branch ")
              .append(r.branchName())
              .append(" (")
              .append(String.join(", ", r.filePaths()))
              .append("). ");
      if (r.prUrl() != null) {
        text.append("Pull request #").append(r.prNumber()).append(": ").append(r.prUrl());
        text.append(" (").append(r.githubStatus()).append(").");
      } else {
        text.append("No pull request: ").append(r.githubDetail());
      }
      return new ToolOutput.Success(text.toString());
    } catch (SophiaException e) {
      return new ToolOutput.Failure("commit: " + e.getMessage() + ". Nothing was changed.");
    }
  }

  private static List<FileChange> files(JsonNode args) {
    if (args == null || !args.isObject()) {
      throw new Bad("arguments must be a JSON object");
    }
    JsonNode list = args.get("files");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new Bad("'files' is required: a list of {path, content} or {path, delete: true}");
    }
    List<FileChange> files = new ArrayList<>();
    for (JsonNode f : list) {
      only(f, FILE_FIELDS, "each file");
      String path = text(f, "path", true);
      boolean delete = f.path("delete").asBoolean(false);
      JsonNode content = f.get("content");
      if (delete == (content != null && !content.isNull())) {
        throw new Bad("file '" + path + "' needs either content or delete: true");
      }
      if (content != null && !content.isNull() && !content.isTextual()) {
        throw new Bad("the content of '" + path + "' must be a string");
      }
      files.add(delete ? FileChange.remove(path) : FileChange.write(path, content.asText()));
    }
    return files;
  }

  private static void only(JsonNode node, Set<String> allowed, String what) {
    if (node == null || !node.isObject()) {
      throw new Bad(what + " must be a JSON object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new Bad("unknown argument '" + name + "' (allowed: " + allowed + ")");
      }
    }
  }

  private static String text(JsonNode args, String field, boolean required) {
    JsonNode node = args.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        throw new Bad("'" + field + "' is required");
      }
      return "";
    }
    if (!node.isTextual()) {
      throw new Bad("'" + field + "' must be a string");
    }
    return node.asText();
  }

  private static JsonNode schema(List<String> repositories) {
    ObjectNode s = JSON.createObjectNode().put("type", "object");
    ObjectNode props = s.putObject("properties");
    ObjectNode repo = props.putObject("repository").put("type", "string");
    repo.put("description", "the configured repository to change");
    if (!repositories.isEmpty()) {
      ArrayNode names = repo.putArray("enum");
      repositories.forEach(names::add);
    }
    ObjectNode files = props.putObject("files").put("type", "array");
    files.put("description", "the files: full new content, or delete");
    ObjectNode item = files.putObject("items").put("type", "object");
    ObjectNode fp = item.putObject("properties");
    fp.putObject("path").put("type", "string").put("description", "relative to the repository");
    fp.putObject("content").put("type", "string").put("description", "the whole new content");
    fp.putObject("delete").put("type", "boolean").put("description", "true to delete the file");
    item.putArray("required").add("path");
    item.put("additionalProperties", false);
    props.putObject("message").put("type", "string").put("description", "commit message");
    props.putObject("title").put("type", "string").put("description", "pull request title");
    props.putObject("reason").put("type", "string").put("description", "why, for the reviewer");
    props.putObject("draft").put("type", "boolean").put("description", "open as a draft");
    s.putArray("required").add("repository").add("files");
    s.put("additionalProperties", false);
    return s;
  }

  private static final class Bad extends RuntimeException {
    Bad(String message) {
      super(message, null, false, false);
    }
  }
}
