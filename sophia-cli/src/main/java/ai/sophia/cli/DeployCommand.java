package ai.sophia.cli;

import ai.sophia.deploy.DeployEvent;
import ai.sophia.deploy.DeployRequest;
import ai.sophia.deploy.Deployment;
import ai.sophia.deploy.DeploymentStatus;
import ai.sophia.deploy.Deployments;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.server.Sophia;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sophia deploy TARGET}: deploys a configured target here, in this process, printing its log
 * lines on stderr as they come and the outcome on stdout; exits 0 when it ends healthy, 1
 * otherwise. {@code status ID}, {@code history} and {@code rollback ID} read and undo deployments.
 * The database keeps one deployment per target at a time, beside a running server too.
 */
@Command(
    name = "deploy",
    description = "Deploy a configured target (deploy.targets) with live log lines.",
    subcommands = {
      DeployCommand.Status.class,
      DeployCommand.History.class,
      DeployCommand.Rollback.class
    })
final class DeployCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET", description = "The target.")
  String target;

  @Option(names = "--env", paramLabel = "E", description = "Environment (default: production).")
  String environment = "production";

  @Option(names = "--strategy", paramLabel = "S", description = "Strategy (Fly: rolling, ...).")
  String strategy = "";

  @Option(names = "--version", paramLabel = "V", description = "Image or version label.")
  String version = "";

  @Override
  public Integer call() {
    if (target == null) {
      return Main.missingSubcommand(spec);
    }
    DeployRequest request =
        DeployRequest.of(target, who())
            .withEnvironment(environment)
            .withStrategy(strategy)
            .withVersion(version);
    return with(d -> follow(d, d.trigger(request), spec));
  }

  /** Runs {@code work} against deployments opened here, beside a running server if there is one. */
  int with(Function<Deployments, Integer> work) {
    return Sophia.withDeployments(main.config(), main.env(), work);
  }

  static String who() {
    return "the command line (" + System.getProperty("user.name", "?") + ")";
  }

  /** Prints the deployment's events on stderr until it finishes, then its outcome on stdout. */
  static int follow(Deployments deployments, Deployment started, CommandSpec spec) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        "deployment " + started.id() + " of " + started.target() + " (" + started.strategy() + ")");
    err.flush();
    BlockingQueue<DeployEvent> events = new LinkedBlockingQueue<>();
    try (AutoCloseable subscription = deployments.subscribe(started.id(), events::add)) {
      Instant deadline = Instant.now().plus(deployments.timeout()).plusSeconds(30);
      while (Instant.now().isBefore(deadline)) {
        DeployEvent e = events.poll(1, TimeUnit.SECONDS);
        if (e == null) {
          continue;
        }
        err.println(
            e.kind().equals(DeployEvent.STATUS)
                ? "== " + e.text() + (e.detail().isEmpty() ? "" : ": " + e.detail())
                : "   " + e.text());
        err.flush();
        if (e.last()) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException("following deployment " + started.id() + " failed", e);
    }
    Deployment d = deployments.find(started.id()).orElseThrow();
    printSummary(d, spec.commandLine().getOut());
    return d.status() == DeploymentStatus.healthy ? 0 : 1;
  }

  static void printSummary(Deployment d, PrintWriter out) {
    out.println(d.id() + " " + d.status() + (d.url().isEmpty() ? "" : " " + d.url()));
    out.println("target       " + d.target() + " (" + d.targetType() + ", " + d.strategy() + ")");
    out.println("environment  " + d.environment());
    out.println("version      " + (d.version().isEmpty() ? "-" : d.version()));
    out.println("requested by " + d.requestedBy());
    out.println("took         " + d.duration(Instant.now()).toMillis() + " ms");
    if (!d.detail().isEmpty()) {
      out.println("detail       " + d.detail());
    }
    out.flush();
  }

  /** {@code sophia deploy status ID}: one deployment and its timeline. */
  @Command(name = "status", description = "Show a deployment, its timeline and its log.")
  static final class Status implements Callable<Integer> {
    @ParentCommand DeployCommand parent;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "deploy-<8 hex>")
    String id;

    @Override
    public Integer call() {
      return parent.with(
          d -> {
            Deployment found =
                d.find(id)
                    .orElseThrow(() -> new NotFoundException("no deployment with id '" + id + "'"));
            PrintWriter out = spec.commandLine().getOut();
            printSummary(found, out);
            for (DeployEvent e : d.events(id, 0, 10_000)) {
              out.println(
                  e.at()
                      + (e.kind().equals(DeployEvent.STATUS)
                          ? " == " + e.text() + (e.detail().isEmpty() ? "" : ": " + e.detail())
                          : "    " + e.text()));
            }
            out.flush();
            return 0;
          });
    }
  }

  /** {@code sophia deploy history}: recent deployments, newest first. */
  @Command(name = "history", description = "List recent deployments, newest first.")
  static final class History implements Callable<Integer> {
    @ParentCommand DeployCommand parent;
    @Spec CommandSpec spec;

    @Option(names = "--target", paramLabel = "T", description = "Only this target.")
    String target = "";

    @Option(names = "--limit", paramLabel = "N", description = "At most N (default 20).")
    int limit = 20;

    @Override
    public Integer call() {
      if (limit < 1 || limit > 1000) {
        throw new InvalidInputException("--limit", "--limit is between 1 and 1000");
      }
      return parent.with(
          d -> {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "TARGET", "ENV", "VERSION", "STATUS", "CREATED"});
            for (Deployment x : d.history(target, limit)) {
              rows.add(
                  new String[] {
                    x.id(),
                    x.target(),
                    x.environment(),
                    x.version().isEmpty() ? "-" : x.version(),
                    x.status().name(),
                    x.createdAt().toString()
                  });
            }
            Table.print(rows, spec.commandLine().getOut());
            spec.commandLine().getOut().flush();
            return 0;
          });
    }
  }

  /** {@code sophia deploy rollback ID}: back to the version before, with live log lines. */
  @Command(name = "rollback", description = "Roll a target back to the version before ID.")
  static final class Rollback implements Callable<Integer> {
    @ParentCommand DeployCommand parent;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The deployment to undo.")
    String id;

    @Override
    public Integer call() {
      return parent.with(d -> follow(d, d.rollback(id, who(), ""), spec));
    }
  }
}
