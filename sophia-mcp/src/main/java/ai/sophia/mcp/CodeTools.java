package ai.sophia.mcp;

import ai.sophia.code.ChangeRequest;
import ai.sophia.code.ChangeResult;
import ai.sophia.code.CodeChanges;
import ai.sophia.code.CommitTool;
import ai.sophia.error.ForbiddenException;
import ai.sophia.error.InvalidInputException;
import ai.sophia.security.Role;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code code_modify}: the MCP face of {@code POST /api/v1/code/modify}. The same change as the
 * agents' {@code commit} tool (its arguments are parsed by {@link CommitTool#request}), plus {@code
 * dry_run} and {@code approve_protected}. As over REST, a developer's explicit call counts as
 * authorized to write, and a change touching a protected path needs {@code approve_protected},
 * which only an admin may send.
 */
final class CodeTools {
  private final CodeChanges changes;

  CodeTools(CodeChanges changes) {
    this.changes = changes;
  }

  SyncToolSpecification specification() {
    return SophiaTools.tool(
        "code_modify",
        Role.developer,
        "Commit files to a configured repository on a new branch, push it and open a pull"
            + " request (GitHub); a retried identical call returns the same commit and pull"
            + " request. dry_run shows the diff without writing. Needs role developer;"
            + " approve_protected (for code.protected_paths) needs an admin.",
        "{'type':'object','properties':{"
            + "'repository':{'type':'string','minLength':1},"
            + "'files':{'type':'array','minItems':1,'items':{'type':'object','properties':{"
            + "'path':{'type':'string'},'content':{'type':'string'},'delete':{'type':'boolean'}},"
            + "'required':['path'],'additionalProperties':false}},"
            + "'message':{'type':'string'},'title':{'type':'string'},'reason':{'type':'string'},"
            + "'draft':{'type':'boolean'},'dry_run':{'type':'boolean'},"
            + "'approve_protected':{'type':'boolean'}},"
            + "'required':['repository','files'],'additionalProperties':false}",
        "{'type':'object','properties':{'commit_hash':{'type':['string','null']},"
            + "'pr_url':{'type':['string','null']},'pr_number':{'type':['integer','null']},"
            + "'branch_name':{'type':'string'},'file_paths':{'type':'array'},"
            + "'github_status':{'type':'string'},'reused':{'type':'boolean'},"
            + "'dry_run':{'type':'boolean'},'diff':{'type':['string','null']}},"
            + "'required':['branch_name','github_status']}",
        this::modify);
  }

  private CallToolResult modify(McpSyncServerExchange exchange, CallToolRequest call) {
    Caller caller = Caller.of(exchange.transportContext());
    Map<String, Object> args =
        new LinkedHashMap<>(call.arguments() == null ? Map.of() : call.arguments());
    boolean dryRun = flag(args.remove("dry_run"), "dry_run");
    boolean approve = flag(args.remove("approve_protected"), "approve_protected");
    if (approve && caller.role() != Role.admin) {
      throw new ForbiddenException(
          "approve_protected needs an admin key: only an admin may let a change touch protected"
              + " paths");
    }
    String who = caller.keyId().isEmpty() ? "the local MCP user" : "API key " + caller.keyId();
    ChangeRequest request =
        CommitTool.request(Structured.JSON.valueToTree(args), who + " over MCP")
            .asDryRun(dryRun)
            .approvingProtected(approve);
    ChangeResult result = changes.apply(request);
    String text =
        result.dryRun()
            ? "Dry run on " + result.branchName() + ":\n" + result.diff()
            : (result.reused() ? "Already committed " : "Committed ")
                + result.commitHash()
                + " on "
                + result.branchName()
                + (result.prUrl() == null
                    ? ". No pull request: " + result.githubDetail()
                    : ". Pull request #" + result.prNumber() + ": " + result.prUrl());
    return SophiaTools.ok(text, Structured.map(result));
  }

  private static boolean flag(Object value, String name) {
    if (value == null) {
      return false;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    throw new InvalidInputException(name, name + " must be true or false");
  }
}
