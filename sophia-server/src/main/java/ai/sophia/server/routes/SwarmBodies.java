package ai.sophia.server.routes;

import ai.sophia.error.InvalidInputException;
import ai.sophia.swarm.SwarmPattern;
import ai.sophia.swarm.SwarmRequest;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

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
      if (task == null || task.isBlank()) {
        throw new InvalidInputException("task", "task is required and must not be blank");
      }
      SwarmRequest r =
          SwarmRequest.of(task)
              .withAgents(agents == null ? List.of() : agents)
              .withObjective(Objects.requireNonNullElse(objective, ""))
              .withPriority(Objects.requireNonNullElse(priority, "normal"))
              .withAuthorize(
                  SwarmRequest.risks(authorize == null ? List.of() : authorize, "authorize"))
              .askingApproval(Boolean.TRUE.equals(askApproval))
              .withRepository(Objects.requireNonNullElse(repository, ""));
      if (pattern != null) {
        r = r.withPattern(SwarmPattern.parse(pattern, "pattern"));
      }
      if (rounds != null || intervalMs != null) {
        r =
            r.withRounds(
                rounds == null ? r.rounds() : rounds,
                intervalMs == null ? r.intervalMs() : intervalMs);
      }
      return r;
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
