package ai.sophia.swarm;

import ai.sophia.error.InvalidInputException;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * A swarm request as it arrives over REST ({@code POST /api/v1/swarm/trigger}) or MCP ({@code
 * swarm_trigger}): SPEC §2's fields plus what the coordinator needs, each absent one null (this is
 * the edge; {@link #validate()} turns it into a checked {@link SwarmRequest}). Read with a
 * snake_case mapper.
 */
public record SwarmTrigger(
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
  public SwarmRequest validate() {
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

  /** Whether the caller waits for the result ({@code wait: true}). */
  public boolean waits() {
    return Boolean.TRUE.equals(waitForResult);
  }
}
