package ai.sophia.swarm;

import ai.sophia.memory.SqliteDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The process {@link SwarmCrashTest} kills: {@code start <dir>} starts a run of {@link #graph} and
 * waits for it, {@code start-and-halt <dir>} halts the JVM as soon as {@code start} returns, {@code
 * resume <dir>} resumes unfinished runs and waits for them. Every step body appends a line to
 * {@code <dir>/executions.log}; the {@code commit} step's side effect is a row keyed by its
 * idempotency key in {@code <dir>/effects.db}, the way a commit tool honours the key.
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path dir = Path.of(args[1]);
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("db"));
        SwarmEngine engine =
            SwarmEngine.create(new SqlSwarmStore(db), SwarmFixture.SETTINGS, Clock.systemUTC())) {
      engine.register(graph(dir));
      switch (mode) {
        case "start" -> {
          SwarmRun run = engine.start("crashy", Json.object().put("topic", "durability"), "");
          System.out.println("run " + run.id());
          engine.await(run.id(), Duration.ofMinutes(2));
        }
        case "start-and-halt" -> {
          SwarmRun run = engine.start("crashy", Json.object().put("topic", "durability"), "");
          System.out.println("run " + run.id());
          System.out.flush();
          Runtime.getRuntime().halt(137);
        }
        case "resume" -> {
          int resumed = engine.resumeUnfinished();
          System.out.println("resumed " + resumed);
          for (SwarmRun run : engine.list(java.util.Optional.empty(), 100)) {
            SwarmRun done = engine.await(run.id(), Duration.ofMinutes(2));
            System.out.println("run " + done.id() + " " + done.status() + " " + done.error());
          }
        }
        default -> throw new IllegalArgumentException(mode);
      }
    }
  }

  static SwarmGraph graph(Path dir) {
    StepPolicy policy = SwarmFixture.QUICK.withTimeout(Duration.ofMinutes(1)).withAttempts(2);
    return SwarmGraph.builder("crashy")
        .step(
            "prepare",
            c -> {
              record(dir, "prepare");
              return Json.object().set("items", Json.MAPPER.valueToTree(List.of(0, 1, 2)));
            },
            policy)
        .fanOut(
            "agents",
            s -> List.copyOf(s.withArray("items").valueStream().toList()),
            c -> {
              int i = c.item().asInt();
              record(dir, "agent" + i);
              Thread.sleep(i == 2 ? 3_000 : 100); // the last branch is still running at the kill
              return Json.object().put("found", "result " + i);
            },
            policy)
        .step(
            "commit",
            c -> {
              record(dir, "commit attempt " + c.attempt());
              effect(dir, c.idempotencyKey());
              // The effect happened but the step's result is not committed yet: the kill lands
              // here.
              Thread.sleep(3_000);
              return Json.object().put("committed", c.idempotencyKey());
            },
            policy.withSideEffects())
        .step(
            "finish",
            c -> {
              record(dir, "finish");
              return Json.object().put("finished", true);
            },
            policy)
        .edge("prepare", "agents")
        .edge("agents", "commit")
        .edge("commit", "finish")
        .build();
  }

  static void record(Path dir, String line) throws IOException {
    Files.writeString(
        dir.resolve("executions.log"),
        line + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /** The idempotent side effect: one row per key, however often it is asked for. */
  static void effect(Path dir, String key) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("effects.db"))) {
      c.createStatement()
          .execute("CREATE TABLE IF NOT EXISTS effects (idem_key TEXT PRIMARY KEY, at INTEGER)");
      try (PreparedStatement p =
          c.prepareStatement(
              "INSERT INTO effects (idem_key, at) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
        p.setString(1, key);
        p.setLong(2, System.currentTimeMillis());
        p.executeUpdate();
      }
    }
  }
}
