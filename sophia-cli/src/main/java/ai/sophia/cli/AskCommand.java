package ai.sophia.cli;

import ai.sophia.agent.Agent;
import ai.sophia.agent.AgentEvent;
import ai.sophia.agent.AgentRequest;
import ai.sophia.agent.AgentResult;
import ai.sophia.agent.AgentRun;
import ai.sophia.agent.RunStatus;
import ai.sophia.error.SophiaException;
import ai.sophia.server.Sophia;
import ai.sophia.server.http.Json;
import ai.sophia.tool.Risk;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sophia ask --agent NAME "…"}: runs one agent here, in this process. What it does goes to
 * stderr as it happens (model calls, tool calls); the answer goes to stdout. A write or deploy tool
 * call the command line did not {@code --authorize} is put to the person at the terminal; with no
 * terminal it is denied, and the agent is told so.
 */
@Command(
    name = "ask",
    description = "Ask an agent; its steps show on stderr, its answer on stdout.")
final class AskCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(
      names = "--agent",
      required = true,
      paramLabel = "NAME",
      description = "The agent to ask (sophia agents lists them).")
  String agent;

  @Parameters(index = "0", paramLabel = "MESSAGE", description = "What to ask the agent.")
  String message;

  @Option(names = "--session", paramLabel = "ID", description = "Continue this conversation.")
  String session;

  @Option(
      names = "--authorize",
      split = ",",
      paramLabel = "RISK",
      description = "Risks to allow without asking: write, deploy.")
  List<String> authorize = List.of();

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  /** Where the person's answers to approval questions come from (stdin; tests replace it). */
  BufferedReader answers =
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

  /** Whether a person is at the terminal to answer approval questions. */
  boolean interactive = System.console() != null;

  @Override
  public Integer call() throws JsonProcessingException, InterruptedException {
    Set<Risk> risks = EnumSet.noneOf(Risk.class);
    authorize.forEach(name -> risks.add(Risk.authorizable(name, "--authorize")));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AgentResult result;
    try (Sophia sophia = Sophia.open(main.config(), main.env())) {
      Agent chosen = sophia.agents().agents().get(agent);
      AgentRequest request =
          AgentRequest.of(message).withSession(session == null ? "" : session).withAuthorize(risks);
      AgentRun run = chosen.start(request);
      BlockingQueue<AgentEvent> events = new LinkedBlockingQueue<>();
      try (AutoCloseable subscription = run.subscribe(events::add)) {
        result = follow(events, sophia, err);
      } catch (InterruptedException | RuntimeException e) {
        run.cancel();
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    if (json) {
      out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
    } else {
      out.println(result.answer());
      err.println("session " + result.sessionId() + " (continue it with --session)");
    }
    out.flush();
    err.flush();
    if (result.status() != RunStatus.succeeded) {
      throw new SophiaException(
          "the " + agent + " agent's run " + result.status() + ": " + result.note(), true);
    }
    return 0;
  }

  /** Prints each step as it happens and answers approval requests; returns the run's result. */
  private AgentResult follow(BlockingQueue<AgentEvent> events, Sophia sophia, PrintWriter err)
      throws InterruptedException {
    while (true) {
      switch (events.take()) {
        case AgentEvent.RunStarted s -> err.println("agent " + s.agent() + " (" + s.mode() + ")");
        case AgentEvent.ModelReplied m ->
            err.println(
                "  model "
                    + m.model()
                    + ": "
                    + (m.toolCalls().isEmpty()
                        ? "answered"
                        : m.toolCalls().size() + " tool call(s)")
                    + " ("
                    + m.inputTokens()
                    + " in, "
                    + m.outputTokens()
                    + " out)");
        case AgentEvent.ToolStarted t ->
            err.println("  → " + t.tool() + " " + abbreviate(t.arguments()));
        case AgentEvent.ToolFinished t ->
            err.println("  ← " + t.tool() + " " + t.outcome() + " in " + t.durationMs() + " ms");
        case AgentEvent.ApprovalRequired a -> decide(a, sophia, err);
        case AgentEvent.ApprovalDecided d ->
            err.println("  approval " + (d.granted() ? "granted" : "denied"));
        case AgentEvent.RunFinished f -> {
          err.println(
              "done: "
                  + f.result().status()
                  + ", "
                  + f.result().modelCalls()
                  + " model call(s), $"
                  + String.format("%.4f", f.result().costUsd()));
          err.flush();
          return f.result();
        }
        case AgentEvent.Token t -> {}
        case AgentEvent.RunResumed r -> err.println("  resumed after " + r.steps() + " step(s)");
        // A CLI runtime keeps no leases, so it never hands a run over; said plainly if it did.
        case AgentEvent.RunHandedOver h ->
            throw new IllegalStateException("the run was handed over: " + h.reason());
      }
      err.flush();
    }
  }

  private void decide(AgentEvent.ApprovalRequired request, Sophia sophia, PrintWriter err) {
    String question =
        "  the agent wants to run "
            + request.tool()
            + " "
            + abbreviate(request.arguments())
            + " (risk "
            + request.risk()
            + "). Allow? [y/N] ";
    boolean granted = false;
    String reason;
    if (interactive) {
      err.print(question);
      err.flush();
      String line;
      try {
        line = answers.readLine();
      } catch (IOException e) {
        line = null;
      }
      granted = line != null && line.strip().toLowerCase(java.util.Locale.ROOT).startsWith("y");
      reason = "answered at the command line";
    } else {
      err.println(question + "no terminal to ask: denied (use --authorize " + request.risk() + ")");
      reason = "nobody at the command line to approve; pass --authorize " + request.risk();
    }
    sophia.agents().approvals().decide(request.approvalId(), granted, "cli", reason);
  }

  private static String abbreviate(String text) {
    String oneLine = text.replaceAll("\\s+", " ");
    return oneLine.length() <= 100 ? oneLine : oneLine.substring(0, 97) + "...";
  }
}
