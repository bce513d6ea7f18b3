package ai.sophia.deploy;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.ConflictException;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.error.UnavailableException;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployments: {@link #trigger} records a deployment and runs it in the background; {@link #find},
 * {@link #history}, {@link #events} and {@link #subscribe} read it; {@link #rollback} undoes one.
 *
 * <p>Concurrency: at most one unfinished deployment per target, enforced by the store (a unique
 * index), so two Sophia processes sharing a database cannot interleave either; a second request for
 * a busy target is refused with a {@link ConflictException} naming the running one. Deployments
 * left unfinished by a process that died are marked {@code failed} ("interrupted") when a {@code
 * Deployments} opens and their process is gone. Every log line passes through redaction of the
 * targets' secrets before it is stored, streamed or logged.
 */
public final class Deployments implements AutoCloseable {
  static final int MAX_EVENTS = 100_000;
  static final Pattern ENVIRONMENT = Pattern.compile("[a-z][a-z0-9_-]{0,39}");
  private static final Logger log = LoggerFactory.getLogger(Deployments.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, Target> targets;
  private final DeploymentStore store;
  private final Clock clock;
  private final Duration timeout;
  private final String owner = Processes.owner();
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, LiveDeployment> live = new ConcurrentHashMap<>();

  Deployments(Map<String, Target> targets, DeploymentStore store, Clock clock, Duration timeout) {
    this.targets = Map.copyOf(targets);
    this.store = store;
    this.clock = clock;
    this.timeout = timeout;
    recoverInterrupted();
  }

  /** Deployments to the targets of {@code config}, recorded in {@code store}. */
  public static Deployments create(
      SophiaConfig config, Secrets secrets, DeploymentStore store, Clock clock) {
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    return new Deployments(
        Targets.create(config, Objects.requireNonNull(secrets, "secrets"), http),
        Objects.requireNonNull(store, "store"),
        Objects.requireNonNull(clock, "clock"),
        Duration.ofMillis(config.deploy().timeoutMs()));
  }

  /** A configured target: its name, type, strategies (default first) and why it cannot deploy. */
  public record TargetInfo(String name, String type, List<String> strategies, String unavailable) {}

  public List<TargetInfo> targets() {
    return targets.values().stream()
        .sorted(java.util.Comparator.comparing(Target::name))
        .map(t -> new TargetInfo(t.name(), t.type(), t.strategies(), t.unavailable().orElse("")))
        .toList();
  }

  /**
   * The target a request means: {@code name}, or with {@code name} empty the only target there is.
   *
   * @throws InvalidInputException naming {@code target} when it is empty and there is not exactly
   *     one target
   */
  public String resolveTarget(String name) {
    if (!name.isBlank()) {
      return name.strip();
    }
    List<TargetInfo> configured = targets();
    if (configured.size() == 1) {
      return configured.getFirst().name();
    }
    throw new InvalidInputException(
        "target",
        configured.isEmpty()
            ? "no deployment target is configured (deploy.targets); Sophia cannot deploy anywhere yet"
            : "target is required: one of " + configured.stream().map(TargetInfo::name).toList());
  }

  /**
   * Records a deployment and starts it in the background; returns it as recorded ({@code
   * requested}). A request whose idempotency key was seen before returns that deployment instead.
   *
   * @throws InvalidInputException naming the field at fault
   * @throws ConflictException when the target is being deployed already
   * @throws UnavailableException when the target cannot deploy (no token)
   */
  public Deployment trigger(DeployRequest request) {
    Objects.requireNonNull(request, "request");
    if (!"standard".equals(request.deploymentType())) {
      throw new InvalidInputException(
          "deployment_type", "deployment_type must be standard (a rollback has its own call)");
    }
    return start(request, "");
  }

  private Deployment start(DeployRequest r, String rollbackOf) {
    Optional<Deployment> seen = store.findByIdempotencyKey(r.idempotencyKey());
    if (seen.isPresent()) {
      return seen.get();
    }
    Target target = target(r.target());
    if (!ENVIRONMENT.matcher(r.environment()).matches()) {
      throw new InvalidInputException(
          "environment", "environment is up to 40 of [a-z0-9_-], e.g. production or staging");
    }
    String strategy = r.strategy().isEmpty() ? target.strategies().getFirst() : r.strategy();
    if (!target.strategies().contains(strategy)) {
      throw new InvalidInputException(
          "strategy",
          "target "
              + target.name()
              + " deploys with "
              + target.strategies()
              + ", not '"
              + strategy
              + "'");
    }
    String version = r.version().isEmpty() ? target.defaultVersion() : r.version().strip();
    if (version.length() > 300 || version.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidInputException("version", "version is at most 300 printable characters");
    }
    if (version.isEmpty() && target instanceof FlyTarget) {
      throw new InvalidInputException(
          "version",
          "target " + target.name() + " has no image configured: give the image as version");
    }
    target
        .unavailable()
        .ifPresent(
            why -> {
              throw new UnavailableException("target " + target.name() + " cannot deploy: " + why);
            });
    Instant now = clock.instant();
    Optional<Deployment> previous = store.lastHealthy(target.name(), now.plusMillis(1));
    Deployment d =
        new Deployment(
            "deploy-" + HexFormat.of().formatHex(bytes(4)),
            target.name(),
            target.type(),
            r.environment(),
            strategy,
            version,
            previous.map(Deployment::version).orElse(""),
            r.requestedBy(),
            DeploymentStatus.requested,
            "",
            "",
            r.idempotencyKey(),
            rollbackOf,
            owner,
            0,
            0,
            0,
            now,
            now,
            Instant.EPOCH);
    LiveDeployment run =
        new LiveDeployment(d, target, store, clock, timeout, () -> live.remove(d.id()));
    synchronized (this) {
      if (!store.insert(d)) {
        Optional<Deployment> same = store.findByIdempotencyKey(r.idempotencyKey());
        if (same.isPresent()) {
          return same.get();
        }
        String busy =
            store
                .active(target.name())
                .map(a -> a.id() + " (" + a.status() + ")")
                .orElse("another deployment");
        throw new ConflictException(
            "target "
                + target.name()
                + " is being deployed already by "
                + busy
                + "; wait for it to finish");
      }
      live.put(d.id(), run);
    }
    run.status(DeploymentStatus.requested, "requested by " + r.requestedBy());
    workers.submit(() -> run.execute(previous, !rollbackOf.isEmpty()));
    return d;
  }

  /**
   * Rolls the target of deployment {@code id} back to the healthy version before it: a new
   * deployment (returned) whose success marks {@code id} as {@code rolled_back}.
   *
   * @throws ConflictException when {@code id} is not the target's current healthy deployment, or
   *     nothing came before it
   */
  public Deployment rollback(String id, String requestedBy, String idempotencyKey) {
    Deployment d = find(id).orElseThrow(() -> notFound(id));
    Optional<Deployment> current = store.lastHealthy(d.target(), clock.instant().plusMillis(1));
    if (d.status() != DeploymentStatus.healthy
        || current.isEmpty()
        || !current.get().id().equals(id)) {
      throw new ConflictException(
          "only the current healthy deployment of "
              + d.target()
              + " can be rolled back; "
              + id
              + " is "
              + d.status()
              + current.map(c -> " and the current one is " + c.id()).orElse(""));
    }
    String version =
        store
            .lastHealthy(d.target(), d.createdAt())
            .map(Deployment::version)
            .or(
                () ->
                    d.previousVersion().isEmpty()
                        ? Optional.empty()
                        : Optional.of(d.previousVersion()))
            .orElseThrow(
                () ->
                    new ConflictException(
                        "nothing to roll back to: no version of "
                            + d.target()
                            + " ran before "
                            + id));
    DeployRequest request =
        new DeployRequest(
            d.target(),
            d.environment(),
            "",
            version,
            "rollback",
            false,
            requestedBy,
            idempotencyKey);
    return start(request, id);
  }

  public Optional<Deployment> find(String id) {
    LiveDeployment run = live.get(id);
    return run != null ? Optional.of(run.current()) : store.find(id);
  }

  /** Newest first; {@code target} empty for all targets. */
  public List<Deployment> history(String target, int limit) {
    if (!target.isEmpty()) {
      target(target);
    }
    return store.history(target, limit);
  }

  /** The deployment's events after {@code after} (log lines and status changes), in order. */
  public List<DeployEvent> events(String id, long after, int limit) {
    find(id).orElseThrow(() -> notFound(id));
    return store.events(id, after, limit);
  }

  /** The deployment started with this idempotency key, if any. */
  public Optional<Deployment> findByIdempotencyKey(String key) {
    return key.isEmpty()
        ? Optional.empty()
        : store.findByIdempotencyKey(key).flatMap(d -> find(d.id()));
  }

  /** How long one deployment may take, health checks included ({@code deploy.timeout_ms}). */
  public Duration timeout() {
    return timeout;
  }

  /** True while this process is running deployment {@code id}. */
  public boolean runningHere(String id) {
    return live.containsKey(id);
  }

  /**
   * Every event of deployment {@code id} so far, then each new one as it happens, until the
   * returned subscription is closed; the last event finishes the deployment.
   */
  public AutoCloseable subscribe(String id, Consumer<DeployEvent> sink) {
    LiveDeployment run = live.get(id);
    if (run != null) {
      return run.subscribe(sink);
    }
    find(id).orElseThrow(() -> notFound(id));
    store.events(id, 0, MAX_EVENTS).forEach(sink);
    return () -> {};
  }

  /** Waits up to {@code wait} for deployment {@code id} to finish; returns it as it is then. */
  public Deployment await(String id, Duration wait) throws InterruptedException {
    LiveDeployment run = live.get(id);
    if (run != null) {
      run.done.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }
    return find(id).orElseThrow(() -> notFound(id));
  }

  /** Stops running deployments (they end failed, interrupted); local services keep running. */
  @Override
  public void close() {
    workers.shutdownNow();
    try {
      workers.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Target target(String name) {
    Target t = targets.get(name);
    if (t == null) {
      throw new InvalidInputException(
          "target",
          targets.isEmpty()
              ? "no deployment target is configured (deploy.targets)"
              : "unknown target '"
                  + name
                  + "'; configured: "
                  + targets.keySet().stream().sorted().toList());
    }
    return t;
  }

  private void recoverInterrupted() {
    for (Deployment d : store.unfinished(1000)) {
      if (Processes.ownerAlive(d.owner())) {
        continue; // another Sophia sharing this database is running it
      }
      String why =
          "interrupted: the Sophia process running it ("
              + d.owner()
              + ") stopped before it finished";
      LiveDeployment.settle(store, d.with(DeploymentStatus.failed, why, clock.instant()));
      log.warn("deployment {} of {} was {}", d.id(), d.target(), why);
    }
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException("no deployment with id '" + id + "'");
  }
}
