package ai.sophia.server.routes;

import ai.sophia.error.InvalidInputException;

/**
 * Request bodies of the swarm API as they arrive; absent optional fields are null. A trigger is
 * read as {@link ai.sophia.swarm.SwarmRequest.Draft}, shared with MCP and the CLI.
 */
final class SwarmBodies {
  private SwarmBodies() {}

  /** {@code POST /api/v1/swarm/{id}/steps/{step}/approve|deny}: an optional reason. */
  record Decision(String reason) {
    String validReason() {
      if (reason != null && reason.length() > 1000) {
        throw new InvalidInputException("reason", "reason is at most 1000 characters");
      }
      return reason == null ? "" : reason.strip();
    }
  }
}
