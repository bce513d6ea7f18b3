package ai.sophia.swarm;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

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

  /** Whether the caller waits for the result ({@code wait: true}). */
  public boolean waits() {
    return Boolean.TRUE.equals(waitForResult);
  }
}
