package ai.sophia.cli;

import ai.sophia.config.SophiaConfig;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.error.SophiaException;
import ai.sophia.server.Sophia;
import ai.sophia.server.http.Json;
import ai.sophia.swarm.SwarmEngine;
import ai.sophia.swarm.SwarmEvent;
import ai.sophia.swarm.SwarmReport;
import ai.sophia.swarm.SwarmRequest;
import ai.sophia.swarm.SwarmRun;
import ai.sophia.swarm.SwarmStatus;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sophia swarm "task"}: runs a swarm here, in this process, with a line on stderr for each
 * step and each agent as it starts and finishes; the aggregated result and the quality report go to
 * stdout. {@code sophia swarm status|logs|cancel ID} look at a swarm kept in the data directory
 * (one a server runs too). A swarm interrupted here is resumed by the next {@code sophia serve}.
 */
@Command(
    name = "swarm",
    description = "Run a swarm of agents on a task; or: swarm status|logs|cancel ID.",
    subcommands = {SwarmCommand.Status.class, SwarmCommand.Logs.class, SwarmCommand.Cancel.class})
final class SwarmCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "TASK", description = "The task.")
  String task;

  @Option(names = "--agents", split = ",", paramLabel = "NAME", description = "Agents to use.")
  List<String> agents = List.of();

  @Option(names = "--pattern", description = "research, development or monitoring.")
  String pattern;

  @Option(names = "--objective", description = "What a good result looks like.")
  String objective;

  @Option(
      names = "--authorize",
      split = ",",
      paramLabel = "RISK",
      description = "Risks to allow without asking: write (commit), deploy.")
  List<String> authorize = List.of();

  @Option(names = "--repo", description = "The repository a development swarm commits to.")
  String repository;

  @Option(names = "--rounds", description = "Monitoring: how many rounds (default 3).")
  Integer rounds;

  @Option(names = "--interval-ms", description = "Monitoring: between rounds (default 60000).")
  Long intervalMs;

  @Option(names = "--json", description = "Print the result as JSON (the API's response).")
  boolean json;

  @Override
  public Integer call() throws JsonProcessingException, InterruptedException {
    if (task == null) {
      throw new InvalidInputException("TASK", "give the task: sophia swarm \"…\"");
    }
    SwarmRequest request =
        new SwarmRequest.Draft(
                task,
                agents,
                objective,
                null,
                pattern,
                authorize,
                false,
                repository,
                rounds,
                intervalMs,
                null)
            .toRequest("--");
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ObjectNode report;
    try (Sophia sophia = Sophia.open(main.config(), main.env())) {
      SwarmEngine engine = sophia.swarms().engine();
      SwarmRun run = sophia.swarms().trigger(request, "");
      err.println("swarm " + run.id() + " (" + request.effectivePattern() + ")");
      BlockingQueue<SwarmEvent> events = new LinkedBlockingQueue<>();
      try (AutoCloseable subscription = engine.subscribe(run.id(), 0, events::add)) {
        while (true) {
          SwarmEvent e = events.take();
          String line = SwarmLines.progress(e);
          if (!line.isEmpty()) {
            err.println(line);
            err.flush();
          }
          if (e.last()) {
            break;
          }
        }
      } catch (InterruptedException | RuntimeException e) {
        engine.cancel(run.id(), "cli");
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      report = sophia.swarms().report(engine.find(run.id()).orElseThrow());
    }
    print(report, out, err);
    String status = report.path("status").asText();
    if (!status.equals(SwarmStatus.succeeded.name())) {
      throw new SophiaException(
          "the swarm ended " + status + ": " + report.path("error").asText(""), true);
    }
    return 0;
  }

  private void print(ObjectNode report, PrintWriter out, PrintWriter err)
      throws JsonProcessingException {
    if (json) {
      out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
    } else {
      out.println(SwarmLines.summary(report));
    }
    out.flush();
    err.flush();
  }

  /** {@code sophia swarm status ID}: the swarm's report as it is now. */
  @Command(name = "status", description = "Show a swarm: status, timeline, results.")
  static final class Status implements Callable<Integer> {
    @ParentCommand SwarmCommand swarm;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(names = "--json", description = "Print the API's response.")
    boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
      SophiaConfig config = swarm.main.config();
      ObjectNode report =
          Sophia.withSwarms(
              config,
              swarm.main.env(),
              engine -> SwarmReport.of(find(engine, id), config.swarm().qualityThreshold()));
      PrintWriter out = swarm.spec.commandLine().getOut();
      out.println(
          json
              ? Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report)
              : SwarmLines.status(report));
      out.flush();
      return 0;
    }
  }

  /** {@code sophia swarm logs ID}: the swarm's events kept so far, one per line. */
  @Command(name = "logs", description = "Print a swarm's events so far.")
  static final class Logs implements Callable<Integer> {
    @ParentCommand SwarmCommand swarm;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = swarm.spec.commandLine().getOut();
      Sophia.withSwarms(
          swarm.main.config(),
          swarm.main.env(),
          engine -> {
            BlockingQueue<SwarmEvent> events = new LinkedBlockingQueue<>();
            try (AutoCloseable s = engine.subscribe(find(engine, id).id(), 0, events::add)) {
              // The kept events arrive at once; a run going on elsewhere adds none here.
              SwarmEvent e;
              while ((e = events.poll(300, TimeUnit.MILLISECONDS)) != null) {
                out.println(SwarmLines.event(e));
                if (e.last()) {
                  break;
                }
              }
            } catch (SophiaException e) {
              throw e;
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            return null;
          });
      out.flush();
      return 0;
    }
  }

  /**
   * {@code sophia swarm cancel ID}: for a swarm no process is running (waiting for approval, or
   * interrupted); a swarm a server runs is cancelled through its API.
   */
  @Command(name = "cancel", description = "Cancel a swarm.")
  static final class Cancel implements Callable<Integer> {
    @ParentCommand SwarmCommand swarm;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      SwarmRun run =
          Sophia.withSwarms(
              swarm.main.config(),
              swarm.main.env(),
              engine -> engine.cancel(find(engine, id).id(), "cli"));
      swarm.spec.commandLine().getOut().println("swarm " + run.id() + " " + run.status());
      return 0;
    }
  }

  private static SwarmRun find(SwarmEngine engine, String id) {
    return engine
        .find(id)
        .orElseThrow(() -> new NotFoundException("no swarm with id '" + id + "'"));
  }

  static String text(JsonNode n, String field) {
    return n.path(field).asText("");
  }
}
