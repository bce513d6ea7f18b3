package ai.sophia.deploy;

import ai.sophia.deploy.FlyMachines.FlyApiException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Fly.io app deployed through the Machines API. Strategies as {@code fly deploy} defines them:
 * {@code rolling} replaces one machine at a time, {@code immediate} all at once, {@code canary}
 * boots one extra machine with the new image first and destroys it once healthy, {@code bluegreen}
 * boots a new machine beside each old one and destroys the old ones once all new ones are healthy.
 * A machine is healthy when it reached {@code started} and every check the API reports for it
 * ({@code checks[].status}, Fly's own health checks from the machine config) is {@code passing},
 * plus, when configured, {@code health_url} answers 2xx. When a machine fails, the machines already
 * changed get their previous config back (or the new machines are destroyed), so the app ends on
 * the previous image: {@code rolled_back}. Every change to an existing machine happens under its
 * lease and with {@code current_version}, so a concurrent change elsewhere is refused, not merged.
 */
final class FlyTarget implements Target {
  static final List<String> STRATEGIES = List.of("rolling", "bluegreen", "canary", "immediate");
  private static final Duration CHECK_INTERVAL = Duration.ofMillis(300);
  private static final int LEASE_TTL_SECONDS = 120;
  private static final Duration REVERT_BUDGET = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final String app;
  private final String image;
  private final String strategy;
  private final String tokenEnv;
  private final Optional<String> token;
  private final String apiUrl;
  private final java.net.http.HttpClient http;
  private final Optional<URI> healthUrl;
  private final Duration healthTimeout;
  private final int waitTimeoutSeconds;
  private final String url;
  private final HealthProbe probe;

  FlyTarget(
      String name,
      String app,
      String image,
      String strategy,
      String tokenEnv,
      Optional<String> token,
      String apiUrl,
      java.net.http.HttpClient http,
      Optional<URI> healthUrl,
      Duration healthTimeout,
      int waitTimeoutSeconds,
      String url,
      HealthProbe probe) {
    this.name = name;
    this.app = app;
    this.image = image;
    this.strategy = strategy;
    this.tokenEnv = tokenEnv;
    this.token = token;
    this.apiUrl = apiUrl;
    this.http = http;
    this.healthUrl = healthUrl;
    this.healthTimeout = healthTimeout;
    this.waitTimeoutSeconds = waitTimeoutSeconds;
    this.url = url;
    this.probe = probe;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String type() {
    return "fly";
  }

  @Override
  public List<String> strategies() {
    List<String> out = new ArrayList<>(List.of(strategy));
    STRATEGIES.stream().filter(s -> !s.equals(strategy)).forEach(out::add);
    return out;
  }

  @Override
  public String defaultVersion() {
    return image;
  }

  @Override
  public Optional<String> unavailable() {
    return token.isEmpty()
        ? Optional.of("the Fly API token is not set (environment variable " + tokenEnv + ")")
        : Optional.empty();
  }

  @Override
  public Set<String> secrets() {
    return token.map(Set::of).orElse(Set.of());
  }

  /** A machine as the rollout remembers it: id, region and the config to go back to. */
  private record Machine(String id, String region, JsonNode config) {}

  @Override
  public Outcome deploy(DeployJob job) throws InterruptedException {
    FlyMachines fly = new FlyMachines(http, apiUrl, token.orElseThrow(), JSON);
    String newImage = job.deployment().version();
    String how = job.deployment().strategy();
    try {
      JsonNode appInfo = fly.app(app);
      job.log("Fly app " + app + " (" + appInfo.path("status").asText("status unknown") + ")");
      List<Machine> machines = new ArrayList<>();
      for (JsonNode m : fly.machines(app)) {
        String state = m.path("state").asText("");
        if (!state.equals("destroyed") && !state.equals("destroying")) {
          machines.add(
              new Machine(m.path("id").asText(), m.path("region").asText(""), m.path("config")));
        }
      }
      if (machines.isEmpty()) {
        return Outcome.failed("app " + app + " has no machines to update (create one first)");
      }
      String before = machines.getFirst().config().path("image").asText("");
      job.log(
          machines.size()
              + " machine(s) on image "
              + before
              + "; rolling out "
              + newImage
              + " ("
              + how
              + ")");
      Outcome o =
          switch (how) {
            case "immediate" -> immediate(fly, job, machines, newImage);
            case "canary" -> canary(fly, job, machines, newImage);
            case "bluegreen" -> bluegreen(fly, job, machines, newImage);
            default -> rolling(fly, job, machines, newImage);
          };
      return o.previous(before);
    } catch (FlyApiException e) {
      if (Thread.interrupted()) {
        throw new InterruptedException(e.getMessage());
      }
      job.log("Machines API: " + e.getMessage());
      return Outcome.failed("Machines API: " + e.getMessage());
    }
  }

  private Outcome rolling(FlyMachines fly, DeployJob job, List<Machine> machines, String img)
      throws InterruptedException {
    List<Machine> changed = new ArrayList<>();
    try {
      for (Machine m : machines) {
        changed.add(m);
        String version = replace(fly, job, m, withImage(m.config(), img));
        Optional<String> sick = healthy(fly, job, m.id(), version);
        if (sick.isPresent()) {
          return revert(fly, job, changed, "machine " + m.id() + " " + sick.get());
        }
      }
    } catch (FlyApiException e) {
      return revert(fly, job, changed, "Machines API: " + e.getMessage());
    }
    return Outcome.healthy(machines.size() + " machine(s) on " + img, url);
  }

  private Outcome immediate(FlyMachines fly, DeployJob job, List<Machine> machines, String img)
      throws InterruptedException {
    List<String> versions = new ArrayList<>();
    try {
      return immediately(fly, job, machines, img, versions);
    } catch (FlyApiException e) {
      return revert(fly, job, machines, "Machines API: " + e.getMessage());
    }
  }

  private Outcome immediately(
      FlyMachines fly, DeployJob job, List<Machine> machines, String img, List<String> versions)
      throws InterruptedException {
    for (Machine m : machines) {
      String nonce = fly.lease(app, m.id(), LEASE_TTL_SECONDS, lease(job));
      try {
        String current = fly.machine(app, m.id()).path("instance_id").asText("");
        JsonNode updated = fly.update(app, m.id(), withImage(m.config(), img), current, nonce);
        versions.add(updated.path("instance_id").asText(""));
        job.log("machine " + m.id() + ": updated to " + img);
      } finally {
        fly.release(app, m.id(), nonce);
      }
    }
    for (int i = 0; i < machines.size(); i++) {
      Machine m = machines.get(i);
      waitStarted(fly, job, m.id(), versions.get(i));
      Optional<String> sick = healthy(fly, job, m.id(), versions.get(i));
      if (sick.isPresent()) {
        return revert(fly, job, machines, "machine " + m.id() + " " + sick.get());
      }
    }
    return Outcome.healthy(machines.size() + " machine(s) on " + img, url);
  }

  private Outcome canary(FlyMachines fly, DeployJob job, List<Machine> machines, String img)
      throws InterruptedException {
    Machine first = machines.getFirst();
    JsonNode canary = fly.create(app, withImage(first.config(), img), first.region());
    String id = canary.path("id").asText();
    job.log("canary machine " + id + " created in " + first.region());
    Optional<String> sick;
    try {
      waitStarted(fly, job, id, canary.path("instance_id").asText(""));
      sick = healthy(fly, job, id, canary.path("instance_id").asText(""));
    } finally {
      fly.destroy(app, id);
      job.log("canary machine " + id + " destroyed");
    }
    if (sick.isPresent()) {
      return Outcome.rolledBack(
          "canary "
              + id
              + " "
              + sick.get()
              + "; no machine was changed, "
              + app
              + " stays on the previous image");
    }
    return rolling(fly, job, machines, img);
  }

  private Outcome bluegreen(FlyMachines fly, DeployJob job, List<Machine> machines, String img)
      throws InterruptedException {
    List<String> green = new ArrayList<>();
    Optional<String> sick = Optional.empty();
    boolean allHealthy = false;
    try {
      for (Machine m : machines) {
        JsonNode g = fly.create(app, withImage(m.config(), img), m.region());
        green.add(g.path("id").asText());
        job.log("green machine " + g.path("id").asText() + " created beside " + m.id());
      }
      for (String id : green) {
        String version = fly.machine(app, id).path("instance_id").asText("");
        waitStarted(fly, job, id, version);
        sick = healthy(fly, job, id, version).map(s -> "green machine " + id + " " + s);
        if (sick.isPresent()) {
          break;
        }
      }
      allHealthy = sick.isEmpty();
    } finally {
      if (!allHealthy) {
        for (String id : green) {
          fly.destroy(app, id);
          job.log("green machine " + id + " destroyed");
        }
      }
    }
    if (sick.isPresent()) {
      return Outcome.rolledBack(sick.get() + "; the blue machines were never touched");
    }
    for (Machine m : machines) {
      fly.destroy(app, m.id());
      job.log("blue machine " + m.id() + " destroyed");
    }
    return Outcome.healthy(green.size() + " green machine(s) on " + img, url);
  }

  /** Puts {@code config} on the machine under its lease; returns the new version once started. */
  private String replace(FlyMachines fly, DeployJob job, Machine m, JsonNode config)
      throws InterruptedException {
    String nonce = fly.lease(app, m.id(), LEASE_TTL_SECONDS, lease(job));
    try {
      String current = fly.machine(app, m.id()).path("instance_id").asText("");
      JsonNode updated = fly.update(app, m.id(), config, current, nonce);
      String version = updated.path("instance_id").asText("");
      job.log(
          "machine "
              + m.id()
              + ": updated to "
              + config.path("image").asText()
              + ", waiting for started");
      waitStarted(fly, job, m.id(), version);
      return version;
    } finally {
      fly.release(app, m.id(), nonce);
    }
  }

  private Outcome revert(FlyMachines fly, DeployJob job, List<Machine> changed, String why)
      throws InterruptedException {
    job.log(why + ": rolling back " + changed.size() + " machine(s) to their previous config");
    DeployJob undo = job.withBudget(REVERT_BUDGET);
    try {
      for (Machine m : changed) {
        replace(fly, undo, m, m.config());
        job.log("machine " + m.id() + ": back on " + m.config().path("image").asText());
      }
    } catch (FlyApiException e) {
      job.log("the rollback failed: " + e.getMessage());
      return Outcome.failed(why + "; rolling back failed too (" + e.getMessage() + ")");
    }
    return Outcome.rolledBack(why + "; rolled back to the previous image");
  }

  /** The API's wait call in a loop: each call waits up to its limit, 408 means wait again. */
  private void waitStarted(FlyMachines fly, DeployJob job, String id, String version)
      throws InterruptedException {
    while (true) {
      long left = job.remaining().toSeconds();
      if (left < 1) {
        throw new FlyApiException(
            408, "machine " + id + " did not reach started before the deployment's deadline");
      }
      if (fly.waitFor(app, id, version, "started", (int) Math.min(waitTimeoutSeconds, left))) {
        job.log("machine " + id + " started");
        return;
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException();
      }
      job.log("machine " + id + ": not started yet, waiting again");
    }
  }

  /** Empty when healthy; otherwise why not. */
  private Optional<String> healthy(FlyMachines fly, DeployJob job, String id, String version)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(job.upTo(healthTimeout));
    String last = "";
    while (true) {
      JsonNode m = fly.machine(app, id);
      List<String> failing = new ArrayList<>();
      for (JsonNode c : m.path("checks")) {
        if (!"passing".equals(c.path("status").asText())) {
          failing.add(c.path("name").asText("check") + " " + c.path("status").asText("unknown"));
        }
      }
      String state = m.path("state").asText("");
      if (!"started".equals(state)) {
        failing.add("state " + state);
      }
      if (failing.isEmpty()) {
        job.log("machine " + id + ": " + m.path("checks").size() + " check(s) passing");
        break;
      }
      last = String.join(", ", failing);
      if (!Instant.now().isBefore(deadline)) {
        job.log("machine " + id + ": health checks failing: " + last);
        return Optional.of("failed its health checks (" + last + ")");
      }
      Thread.sleep(CHECK_INTERVAL);
    }
    if (healthUrl.isPresent()) {
      HealthProbe.Result r =
          probe.await(healthUrl.get(), job.upTo(healthTimeout), () -> false, job::log);
      if (!r.healthy()) {
        return Optional.of(
            "failed its health check at " + healthUrl.get() + " (" + r.detail() + ")");
      }
    }
    return Optional.empty();
  }

  private static JsonNode withImage(JsonNode config, String img) {
    ObjectNode copy =
        config.isObject() ? ((ObjectNode) config).deepCopy() : JSON.createObjectNode();
    copy.put("image", img);
    return copy;
  }

  private static String lease(DeployJob job) {
    return "sophia " + job.deployment().id();
  }
}
