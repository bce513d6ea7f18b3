package ai.sophia.mcp;

import ai.sophia.error.SophiaException;
import ai.sophia.security.AuditEntry;
import ai.sophia.security.AuditLog;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts every call of an MCP tool that changes something — a commit, a deployment, a swarm, an agent
 * run — in the audit log, as the HTTP API's changes are: who called (the API key's id and role),
 * the tool and what it acted on, and whether it succeeded. Reads (research, memory_search, the
 * status tools) are not recorded, as GETs are not.
 */
final class AuditedTools {
  private static final Logger log = LoggerFactory.getLogger(AuditedTools.class);

  /** The tools that change something, and the argument naming what each acts on. */
  static final Map<String, String> CHANGES =
      Map.of(
          "code_modify", "repository",
          "deploy_trigger", "target",
          "swarm_trigger", "pattern",
          "ask_agent", "agent");

  private AuditedTools() {}

  static List<SyncToolSpecification> wrap(
      List<SyncToolSpecification> specs, AuditLog audit, Clock clock) {
    return specs.stream().map(s -> wrap(s, audit, clock)).toList();
  }

  private static SyncToolSpecification wrap(
      SyncToolSpecification spec, AuditLog audit, Clock clock) {
    String name = spec.tool().name();
    if (!CHANGES.containsKey(name)) {
      return spec;
    }
    return SyncToolSpecification.builder()
        .tool(spec.tool())
        .callHandler(
            (exchange, call) -> {
              CallToolResult result = null;
              try {
                result = spec.callHandler().apply(exchange, call);
                return result;
              } finally {
                record(audit, clock, name, exchange.transportContext(), call.arguments(), result);
              }
            })
        .build();
  }

  private static void record(
      AuditLog audit,
      Clock clock,
      String tool,
      io.modelcontextprotocol.common.McpTransportContext context,
      Map<String, Object> arguments,
      CallToolResult result) {
    Caller caller;
    try {
      caller = Caller.of(context);
    } catch (SophiaException e) {
      caller = null;
    }
    Object subject = arguments == null ? null : arguments.get(CHANGES.get(tool));
    boolean failed = result == null || Boolean.TRUE.equals(result.isError());
    try {
      audit.append(
          AuditEntry.event(
              clock.instant(),
              caller == null || caller.keyId().isEmpty() ? "-" : caller.keyId(),
              caller == Caller.LOCAL ? "local MCP" : "-",
              caller == null ? "-" : caller.role().name(),
              "MCP " + tool,
              subject instanceof String s && !s.isBlank() ? tool + " " + s : tool,
              caller == Caller.LOCAL ? "stdio" : "mcp",
              0,
              failed ? AuditEntry.Outcome.failed : AuditEntry.Outcome.succeeded,
              "-"));
    } catch (RuntimeException e) {
      // The call's result stands; the gap in the log is said, never silent.
      log.warn("MCP tool {}: writing its audit entry failed: {}", tool, e.getMessage());
    }
  }
}
