package ai.sophia.security;

import java.util.List;

/**
 * The columns sealed at rest when a key is configured (README, Security, says the same): what
 * people typed and what was done with it. Each column's {@link Column#id} is the associated data of
 * its values, so a value moved to another column does not open.
 */
public final class SealedColumns {
  /** One sealed column of one table. */
  public record Column(String table, String name) {
    /** {@code table.column}. */
    public String id() {
      return table + "." + name;
    }
  }

  /** Conversation turns, user and assistant. */
  public static final Column CONVERSATION = new Column("conversation_history", "content");

  public static final Column RUN_INPUT = new Column("agent_runs", "input");
  public static final Column RUN_OUTPUT = new Column("agent_runs", "output");
  public static final Column RUN_TRANSCRIPT = new Column("agent_runs", "transcript_json");

  /** What a run's events carry: model replies, tool arguments and outputs. */
  public static final Column RUN_EVENTS = new Column("agent_run_events", "data_json");

  /** The arguments of a tool call waiting for (or decided by) a person. */
  public static final Column APPROVAL_ARGUMENTS = new Column("approvals", "arguments_json");

  /** Deployment log lines. */
  public static final Column DEPLOYMENT_LOG = new Column("deployment_events", "text");

  /** The shared secrets of admin keys' second factor (TOTP). */
  public static final Column TOTP_SECRET = new Column("key_totp", "secret");

  /**
   * OAuth tokens of the MCP servers Sophia is a client of, and their registered clients' secrets.
   */
  public static final Column MCP_TOKEN = new Column("mcp_tokens", "access_token");

  public static final Column MCP_REFRESH_TOKEN = new Column("mcp_tokens", "refresh_token");
  public static final Column MCP_CLIENT_SECRET = new Column("mcp_tokens", "client_secret");

  public static final List<Column> ALL =
      List.of(
          CONVERSATION,
          RUN_INPUT,
          RUN_OUTPUT,
          RUN_TRANSCRIPT,
          RUN_EVENTS,
          APPROVAL_ARGUMENTS,
          DEPLOYMENT_LOG,
          TOTP_SECRET,
          MCP_TOKEN,
          MCP_REFRESH_TOKEN,
          MCP_CLIENT_SECRET);

  private SealedColumns() {}
}
