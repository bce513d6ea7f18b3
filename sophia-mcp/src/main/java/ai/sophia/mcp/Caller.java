package ai.sophia.mcp;

import ai.sophia.error.ForbiddenException;
import ai.sophia.security.Role;
import io.modelcontextprotocol.common.McpTransportContext;
import java.util.Objects;

/**
 * Who is calling Sophia over MCP: the id of the API key that authenticated the HTTP request (never
 * the secret) and its role. Over stdio the caller is the local user, an admin without a key ({@code
 * ""}), as on the rest of the CLI.
 */
public record Caller(String keyId, Role role) {
  /** The servlet request attribute the authentication filter sets and the transport reads. */
  public static final String ATTRIBUTE = "sophia.mcp.caller";

  /** The local user of {@code sophia mcp}. */
  public static final Caller LOCAL = new Caller("", Role.admin);

  public Caller {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(role, "role");
  }

  /**
   * @throws ForbiddenException when this caller's role is below {@code needed}
   */
  void require(Role needed, String what) {
    if (!role.atLeast(needed)) {
      throw new ForbiddenException(
          what + " needs role " + needed + " or higher; this API key has role " + role);
    }
  }

  /** The transport context key that marks a request as having come over HTTP. */
  static final String HTTP = "sophia.mcp.http";

  /**
   * The caller of a request: the one the HTTP filter authenticated, or the local user over stdio.
   * An HTTP request without an authenticated caller fails closed.
   */
  static Caller of(McpTransportContext context) {
    if (context.get(ATTRIBUTE) instanceof Caller c) {
      return c;
    }
    if (context.get(HTTP) != null) {
      throw new ForbiddenException("this MCP request was not authenticated");
    }
    return LOCAL;
  }
}
