package ai.sophia.server.routes;

import ai.sophia.cache.CacheRegistry;
import ai.sophia.model.UsageSummary;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.RequestRate;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/system/stats}: measured values only. Uptime counts from server start; memory
 * is the JVM heap plus the resident set size when /proc can tell it; CPU is Sophia's own CPU time
 * between two stats calls and the machine's load from the JVM's operating system bean (absent when
 * the platform cannot measure it); active agents are research requests and agent runs in progress
 * right now; the request rate is over the last minute; model usage is what the model gateway
 * recorded (calls, tokens, cost today and overall, per model).
 */
public final class StatsRoutes {
  private static final Path PROC_STATUS = Path.of("/proc/self/status");

  private final String version;
  private final Instant startedAt;
  private final IntSupplier activeAgents;
  private final RequestRate requests;
  private final CacheRegistry caches;
  private final Supplier<UsageSummary> modelUsage;
  private final com.sun.management.OperatingSystemMXBean os;
  private long lastCpuNanos; // guarded by this
  private long lastWallNanos; // guarded by this

  public StatsRoutes(
      String version,
      Instant startedAt,
      IntSupplier activeAgents,
      RequestRate requests,
      CacheRegistry caches,
      Supplier<UsageSummary> modelUsage) {
    this.version = Objects.requireNonNull(version, "version");
    this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
    this.activeAgents = Objects.requireNonNull(activeAgents, "activeAgents");
    this.requests = Objects.requireNonNull(requests, "requests");
    this.caches = Objects.requireNonNull(caches, "caches");
    this.modelUsage = Objects.requireNonNull(modelUsage, "modelUsage");
    this.os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    // The system load is measured between calls; the first call sets the baseline.
    os.getCpuLoad();
    this.lastCpuNanos = os.getProcessCpuTime();
    this.lastWallNanos = System.nanoTime();
  }

  public void register(RoutesConfig routes) {
    routes.get("/api/v1/system/stats", this::stats, Access.READ);
  }

  private void stats(Context ctx) {
    Instant now = Instant.now();
    Duration uptime = Duration.between(startedAt, now);
    ctx.json(
        new Stats(
            version,
            uptime.toMillis() / 1000.0,
            human(uptime),
            memory(),
            cpu(),
            activeAgents.getAsInt(),
            round(requests.perSecond(), 3),
            round(caches.hitRatio(), 4),
            requests.total(),
            modelUsage.get(),
            now.toString()));
  }

  private static MemoryUsage memory() {
    Runtime runtime = Runtime.getRuntime();
    long used = runtime.totalMemory() - runtime.freeMemory();
    long max = runtime.maxMemory();
    return new MemoryUsage(used, max, residentSetBytes(), round(100.0 * used / max, 1));
  }

  private CpuUsage cpu() {
    int processors = Runtime.getRuntime().availableProcessors();
    return new CpuUsage(processPercent(processors), percentOrNull(os.getCpuLoad()), processors);
  }

  /**
   * CPU time Sophia used since the previous stats call (or since start), as a share of all
   * processors' time in that interval; null where the JVM cannot measure process CPU time.
   */
  private synchronized Double processPercent(int processors) {
    long cpu = os.getProcessCpuTime();
    long wall = System.nanoTime();
    long cpuDelta = cpu - lastCpuNanos;
    long wallDelta = wall - lastWallNanos;
    lastCpuNanos = cpu;
    lastWallNanos = wall;
    if (cpu < 0 || wallDelta <= 0) {
      return null;
    }
    return round(Math.min(100.0, 100.0 * cpuDelta / wallDelta / processors), 1);
  }

  /** VmRSS from /proc/self/status, in bytes; null where there is no /proc (macOS, Windows). */
  static Long residentSetBytes() {
    try {
      for (String line : Files.readAllLines(PROC_STATUS)) {
        if (line.startsWith("VmRSS:")) {
          String kilobytes = line.substring("VmRSS:".length()).replace("kB", "").strip();
          return Long.parseLong(kilobytes) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Not Linux or an unexpected format: report no RSS rather than a made-up one.
    }
    return null;
  }

  private static Double percentOrNull(double load) {
    return load < 0 || Double.isNaN(load) ? null : round(load * 100, 1);
  }

  static String human(Duration d) {
    long days = d.toDays();
    StringBuilder out = new StringBuilder();
    if (days > 0) {
      out.append(days).append("d ");
    }
    if (days > 0 || d.toHoursPart() > 0) {
      out.append(d.toHoursPart()).append("h ");
    }
    if (days > 0 || d.toHours() > 0 || d.toMinutesPart() > 0) {
      out.append(d.toMinutesPart()).append("m ");
    }
    return out.append(d.toSecondsPart()).append('s').toString();
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }

  record Stats(
      String version,
      double uptime,
      String uptimeHuman,
      MemoryUsage memoryUsage,
      CpuUsage cpuUsage,
      int activeAgents,
      double requestRate,
      double cacheHitRatio,
      long requestsTotal,
      UsageSummary modelUsage,
      String timestamp) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record MemoryUsage(long heapUsedBytes, long heapMaxBytes, Long rssBytes, double percent) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record CpuUsage(Double processPercent, Double systemPercent, int availableProcessors) {}
}
