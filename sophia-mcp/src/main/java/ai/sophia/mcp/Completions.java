package ai.sophia.mcp;

import ai.sophia.agent.Agent;
import ai.sophia.agent.AgentRuntime;
import ai.sophia.deploy.Deployments;
import ai.sophia.research.ResearchRequests;
import ai.sophia.security.Role;
import ai.sophia.swarm.SwarmEngine;
import io.modelcontextprotocol.server.McpServerFeatures.SyncCompletionSpecification;
import io.modelcontextprotocol.spec.McpSchema.CompleteReference;
import io.modelcontextprotocol.spec.McpSchema.CompleteRequest;
import io.modelcontextprotocol.spec.McpSchema.CompleteResult;
import io.modelcontextprotocol.spec.McpSchema.CompleteResult.CompleteCompletion;
import io.modelcontextprotocol.spec.McpSchema.PromptReference;
import io.modelcontextprotocol.spec.McpSchema.ResourceReference;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code completion/complete}: what a client may offer while a user fills in a prompt argument or a
 * resource template variable. Agent names for {@code ask_agent}'s {@code agent}, search engines for
 * {@code research_question}'s {@code engine}, deploy targets for {@code deploy}'s {@code target},
 * and the caller's recent run, swarm and deployment ids for their resource templates. Free text (a
 * question, a task) has no suggestions. Values start with what was typed (case ignored), newest ids
 * first, at most {@value #MAX} of them as MCP allows.
 */
final class Completions {
  static final int MAX = 100;

  /** How many recent ids are looked at; more than a client shows. */
  private static final int RECENT = 500;

  private final AgentRuntime agents;
  private final Deployments deployments;
  private final SwarmEngine swarms;

  Completions(AgentRuntime agents, Deployments deployments, SwarmEngine swarms) {
    this.agents = agents;
    this.deployments = deployments;
    this.swarms = swarms;
  }

  List<SyncCompletionSpecification> specifications() {
    return List.of(
        spec(
            new PromptReference("ask_agent"),
            Map.of("agent", caller -> agents.agents().list().stream().map(Agent::name))),
        spec(
            new PromptReference("research_question"),
            Map.of("engine", caller -> ResearchRequests.ENGINES.stream())),
        spec(
            new PromptReference("deploy"),
            Map.of(
                "target",
                caller -> deployments.targets().stream().map(Deployments.TargetInfo::name))),
        spec(new ResourceReference(SophiaResources.RESEARCH + "{id}"), Map.of()),
        spec(
            new ResourceReference(SophiaResources.RUNS + "{id}"),
            Map.of(
                "id",
                caller ->
                    agents.recentRuns(RECENT).stream()
                        .filter(r -> sees(caller, r.apiKeyId()))
                        .map(r -> r.id()))),
        spec(
            new ResourceReference(SwarmTools.URI + "{id}"),
            Map.of(
                "id",
                caller ->
                    swarms.list(Optional.empty(), RECENT).stream()
                        .filter(r -> sees(caller, r.requestedBy()))
                        .map(r -> r.id()))),
        spec(
            new ResourceReference(DeployTools.URI + "{id}"),
            Map.of("id", caller -> deployments.history("", RECENT).stream().map(d -> d.id()))));
  }

  /** A key completes its own runs and swarms; an admin everyone's, as reading them allows. */
  private static boolean sees(Caller caller, String owner) {
    return caller.role() == Role.admin || owner.equals(caller.keyId());
  }

  private static SyncCompletionSpecification spec(
      CompleteReference ref, Map<String, Function<Caller, Stream<String>>> arguments) {
    return new SyncCompletionSpecification(
        ref,
        (exchange, request) -> {
          Caller caller = Caller.of(exchange.transportContext());
          Function<Caller, Stream<String>> candidates = arguments.get(request.argument().name());
          return candidates == null
              ? complete(Stream.empty(), "")
              : complete(candidates.apply(caller), typed(request));
        });
  }

  private static String typed(CompleteRequest request) {
    String value = request.argument().value();
    return value == null ? "" : value.toLowerCase(Locale.ROOT);
  }

  static CompleteResult complete(Stream<String> candidates, String prefix) {
    List<String> matching =
        candidates.filter(c -> c.toLowerCase(Locale.ROOT).startsWith(prefix)).distinct().toList();
    List<String> shown = matching.size() > MAX ? matching.subList(0, MAX) : matching;
    return new CompleteResult(
        new CompleteCompletion(shown, matching.size(), matching.size() > shown.size()));
  }
}
