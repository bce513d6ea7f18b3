package ai.sophia.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A run as the store has it: id ({@code swarm-<hex>}), the graph it runs, status, who started it,
 * its input, its state now, its steps in the order they started (empty in listings), why it failed,
 * and its times.
 */
public record SwarmRun(
    String id,
    String graph,
    SwarmStatus status,
    String requestedBy,
    JsonNode input,
    JsonNode state,
    List<StepRecord> steps,
    String error,
    Instant createdAt,
    Optional<Instant> finishedAt,
    Instant deadline) {}
