package ai.sophia.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The deployment store's contract, on SQLite and on PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class DeploymentStoreTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

  private static Deployment deployment(
      String id, String target, DeploymentStatus status, String key, Instant at) {
    return new Deployment(
        id,
        target,
        "command",
        "production",
        "rolling",
        "v1",
        "",
        "key_x",
        status,
        "",
        "",
        key,
        "",
        "owner",
        0,
        0,
        0,
        at,
        at,
        Instant.EPOCH);
  }

  private static Deployment with(Deployment d, DeploymentStatus status) {
    return new Deployment(
        d.id(),
        d.target(),
        d.targetType(),
        d.environment(),
        d.strategy(),
        d.version(),
        d.previousVersion(),
        d.requestedBy(),
        status,
        "done",
        d.url(),
        d.idempotencyKey(),
        d.rollbackOf(),
        d.owner(),
        d.pid(),
        d.pidStartedAt(),
        d.port(),
        d.createdAt(),
        d.createdAt().plusSeconds(1),
        d.createdAt().plusSeconds(1));
  }

  @Test
  void insert_secondUnfinishedForTheSameTarget_refusedUntilTheFirstFinishes() {
    try (Database db = backend.open(dir)) {
      DeploymentStore store = new SqlDeploymentStore(db);
      Deployment first = deployment("deploy-1", "web", DeploymentStatus.running, "", T0);

      assertThat(store.insert(first)).isTrue();
      assertThat(store.insert(deployment("deploy-2", "web", DeploymentStatus.requested, "", T0)))
          .isFalse();
      assertThat(store.insert(deployment("deploy-3", "api", DeploymentStatus.requested, "", T0)))
          .isTrue();
      assertThat(store.active("web")).map(Deployment::id).contains("deploy-1");

      store.update(with(first, DeploymentStatus.healthy));
      assertThat(store.active("web")).isEmpty();
      assertThat(
              store.insert(
                  deployment("deploy-2", "web", DeploymentStatus.requested, "", T0.plusSeconds(5))))
          .isTrue();
      assertThat(store.unfinished(10))
          .extracting(Deployment::id)
          .containsExactly("deploy-3", "deploy-2");
    }
  }

  @Test
  void insert_sameIdempotencyKeyTwice_refusedAndFoundByKey() {
    try (Database db = backend.open(dir)) {
      DeploymentStore store = new SqlDeploymentStore(db);
      assertThat(store.insert(deployment("deploy-1", "web", DeploymentStatus.healthy, "k1", T0)))
          .isTrue();
      assertThat(store.insert(deployment("deploy-2", "api", DeploymentStatus.healthy, "k1", T0)))
          .isFalse();
      assertThat(store.insert(deployment("deploy-3", "api", DeploymentStatus.healthy, "", T0)))
          .isTrue();
      assertThat(store.insert(deployment("deploy-4", "db", DeploymentStatus.healthy, "", T0)))
          .isTrue();

      assertThat(store.findByIdempotencyKey("k1")).map(Deployment::id).contains("deploy-1");
      assertThat(store.findByIdempotencyKey("")).isEmpty();
    }
  }

  @Test
  void history_sameCreationTime_newestFirstThenById_andLastHealthyBefore() {
    try (Database db = backend.open(dir)) {
      DeploymentStore store = new SqlDeploymentStore(db);
      store.insert(deployment("deploy-b", "web", DeploymentStatus.healthy, "", T0));
      store.insert(deployment("deploy-a", "web", DeploymentStatus.healthy, "", T0));
      store.insert(deployment("deploy-c", "web", DeploymentStatus.failed, "", T0.plusSeconds(9)));
      store.insert(deployment("deploy-d", "api", DeploymentStatus.healthy, "", T0));

      assertThat(store.history("web", 10))
          .extracting(Deployment::id)
          .containsExactly("deploy-c", "deploy-a", "deploy-b");
      assertThat(store.history("", 2)).hasSize(2);
      assertThat(store.lastHealthy("web", T0.plusSeconds(60)))
          .map(Deployment::status)
          .contains(DeploymentStatus.healthy);
      assertThat(store.lastHealthy("web", T0)).isEmpty();
    }
  }

  @Test
  void events_appended_readBackInOrderAfterASeq() {
    try (Database db = backend.open(dir)) {
      DeploymentStore store = new SqlDeploymentStore(db);
      store.insert(deployment("deploy-1", "web", DeploymentStatus.running, "", T0));
      for (int i = 1; i <= 5; i++) {
        store.appendEvent("deploy-1", new DeployEvent(i, T0, DeployEvent.LOG, "line " + i, ""));
      }

      List<DeployEvent> after = store.events("deploy-1", 2, 2);

      assertThat(after).extracting(DeployEvent::seq).containsExactly(3L, 4L);
      assertThat(after.getFirst().text()).isEqualTo("line 3");
    }
  }
}
