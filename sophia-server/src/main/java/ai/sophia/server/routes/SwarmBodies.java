package ai.sophia.server.routes;

import ai.sophia.error.InvalidInputException;
import ai.sophia.swarm.SwarmRequest;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Request bodies of the swarm API as they arrive; absent optional fields are null. */
final class SwarmBodies {
  private SwarmBodies() {}

  /** {@code POST /api/v1/swarm/trigger}: SPEC §2's fields plus what the coordinator needs. */
  record Trigger(
      String task,
      List<String> agents,
      String objective,
      String priority,
      String pattern,
      List<String> authorize,
      Boolean askApproval,
      String repository,
      Integer rounds,
      Long intervalMs,
      @JsonProperty("wait") Boolean waitForResult) {
    /** The request, every field checked; the exception names the one at fault. */
    SwarmRequest validate() {
      return new SwarmRequest.Draft(
              task,
              agents,
              objective,
              priority,
              pattern,
              authorize,
              askApproval,
              repository,
              rounds,
              intervalMs)
          .toRequest("");
    }

    boolean waits() {
      return Boolean.TRUE.equals(waitForResult);
    }
  }

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
