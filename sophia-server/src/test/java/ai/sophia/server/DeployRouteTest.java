package ai.sophia.server;

import static ai.sophia.server.TestServer.bearer;
import static ai.sophia.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployment API over real HTTP, deploying with a real command. */
class DeployRouteTest {
  private static final String JSON = "application/json";

  @TempDir Path dir;
  private TestServer server;
  private String developer;

  @BeforeEach
  void start() throws Exception {
    Path work = Files.createDirectories(dir.resolve("work"));
    String yaml =
        "deploy:\n  targets:\n"
            + "    site:\n      type: command\n      command: [sh, -c, \"echo shipping {version};"
            + " echo {version} >> shipped.txt\"]\n      rollback_command: [sh, -c, \"echo back to"
            + " {version}; echo back {version} >> shipped.txt\"]\n      working_dir: \""
            + work
            + "\"\n"
            + "    slow:\n      type: command\n      command: [sh, -c, \"sleep 2\"]\n";
    server = TestServer.withTools(dir, Map.of(), yaml);
    developer = server.key(Role.developer);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> trigger(String body, String key) {
    return server.post("/api/v1/deploy/trigger", JSON, body, "Authorization", bearer(key));
  }

  private JsonNode awaitFinished(String id) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      JsonNode d = json(server.get("/api/v1/deploy/" + id, "Authorization", bearer(developer)));
      if (List.of("healthy", "failed", "rolled_back").contains(d.get("status").asText())) {
        return d;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("deployment " + id + " did not finish");
  }

  @Test
  void trigger_developerKey_accepts202ThenBecomesHealthyWithTimeline() throws Exception {
    HttpResponse<String> r =
        trigger("{\"target\":\"site\",\"version\":\"v1\",\"environment\":\"staging\"}", developer);

    assertThat(r.statusCode()).isEqualTo(202);
    JsonNode accepted = json(r);
    String id = accepted.get("deployment_id").asText();
    assertThat(id).matches("deploy-[0-9a-f]{8}");
    assertThat(accepted.has("deployment_url")).isTrue();
    assertThat(accepted.get("logs").isArray()).isTrue();
    assertThat(accepted.get("timestamp").asText()).isNotEmpty();
    assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/deploy/" + id);
    JsonNode done = awaitFinished(id);
    assertThat(done.get("status").asText()).isEqualTo("healthy");
    assertThat(done.get("environment").asText()).isEqualTo("staging");
    assertThat(done.get("duration_ms").asLong()).isPositive();
    List<String> timeline = new ArrayList<>();
    done.get("timeline").forEach(c -> timeline.add(c.get("status").asText()));
    assertThat(timeline).containsExactly("requested", "running", "healthy");
    JsonNode history =
        json(server.get("/api/v1/deploy?target=site", "Authorization", bearer(developer)));
    assertThat(history.get("deployments").get(0).get("deployment_id").asText()).isEqualTo(id);
  }

  @Test
  void logs_serverSentEvents_replayEverythingAndEndAtTheFinish() throws Exception {
    String id =
        json(trigger("{\"target\":\"site\",\"version\":\"v2\"}", developer))
            .get("deployment_id")
            .asText();

    HttpResponse<String> stream =
        server.get("/api/v1/deploy/" + id + "/logs", "Authorization", bearer(developer));
    HttpResponse<String> resumed =
        server.get(
            "/api/v1/deploy/" + id + "/logs",
            "Authorization",
            bearer(developer),
            "Last-Event-ID",
            "2");

    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/event-stream");
    assertThat(stream.body())
        .contains("id: 1\nevent: status")
        .contains("event: log")
        .contains("| shipping v2")
        .contains("\"text\":\"healthy\"");
    assertThat(resumed.body())
        .doesNotContain("id: 1\n")
        .doesNotContain("id: 2\n")
        .contains("id: 3\n");
  }

  @Test
  void trigger_readonlyOrUserKey_isForbidden() {
    assertThat(trigger("{\"target\":\"site\"}", server.key(Role.readonly)).statusCode())
        .isEqualTo(403);
    assertThat(trigger("{\"target\":\"site\"}", server.key(Role.user)).statusCode()).isEqualTo(403);
    assertThat(
            json(server.get("/api/v1/deploy", "Authorization", bearer(server.key(Role.readonly))))
                .get("deployments"))
        .isEmpty();
  }

  @Test
  void trigger_badFields_problemNamesTheField() {
    Map<String, String> cases =
        Map.of(
            "{\"target\":\"nope\"}", "target",
            "{}", "target",
            "{\"target\":\"site\",\"environment\":\"Prod!\"}", "environment",
            "{\"target\":\"site\",\"strategy\":\"canary\"}", "strategy",
            "{\"target\":\"site\",\"deployment_type\":\"turbo\"}", "deployment_type");
    cases.forEach(
        (body, field) -> {
          HttpResponse<String> r = trigger(body, developer);
          assertThat(r.statusCode()).as(body).isEqualTo(400);
          assertThat(r.headers().firstValue("Content-Type").orElse(""))
              .startsWith("application/problem+json");
          assertThat(json(r).get("field").asText()).as(body).isEqualTo(field);
        });
    assertThat(
            server
                .get("/api/v1/deploy/deploy-00000000", "Authorization", bearer(developer))
                .statusCode())
        .isEqualTo(404);
    assertThat(server.get("/api/v1/deploy/../etc", "Authorization", bearer(developer)).statusCode())
        .isIn(400, 404);
  }

  @Test
  void trigger_targetBusy_secondIsRefusedWith409() throws Exception {
    String first = json(trigger("{\"target\":\"slow\"}", developer)).get("deployment_id").asText();

    HttpResponse<String> second = trigger("{\"target\":\"slow\"}", developer);

    assertThat(second.statusCode()).isEqualTo(409);
    assertThat(json(second).get("detail").asText()).contains(first);
    assertThat(awaitFinished(first).get("status").asText()).isEqualTo("healthy");
  }

  @Test
  void trigger_sameIdempotencyKey_returnsTheSameDeployment() throws Exception {
    HttpResponse<String> a =
        server.post(
            "/api/v1/deploy/trigger",
            JSON,
            "{\"target\":\"site\",\"version\":\"v5\"}",
            "Authorization",
            bearer(developer),
            "Idempotency-Key",
            "release-5");
    String id = json(a).get("deployment_id").asText();
    awaitFinished(id);
    HttpResponse<String> b =
        trigger(
            "{\"target\":\"site\",\"version\":\"v5\",\"idempotency_key\":\"release-5\"}",
            developer);

    assertThat(json(b).get("deployment_id").asText()).isEqualTo(id);
    assertThat(json(b).get("status").asText()).isEqualTo("healthy");
  }

  @Test
  void rollback_onRequest_runsTheRollbackCommandAndMarksTheDeployment() throws Exception {
    awaitFinished(
        json(trigger("{\"target\":\"site\",\"version\":\"v1\"}", developer))
            .get("deployment_id")
            .asText());
    String v2 =
        json(trigger("{\"target\":\"site\",\"version\":\"v2\"}", developer))
            .get("deployment_id")
            .asText();
    awaitFinished(v2);

    HttpResponse<String> r =
        server.post(
            "/api/v1/deploy/" + v2 + "/rollback", JSON, "", "Authorization", bearer(developer));

    assertThat(r.statusCode()).isEqualTo(202);
    JsonNode back = awaitFinished(json(r).get("deployment_id").asText());
    assertThat(back.get("status").asText()).isEqualTo("healthy");
    assertThat(back.get("rollback_of").asText()).isEqualTo(v2);
    assertThat(back.get("version").asText()).isEqualTo("v1");
    assertThat(Files.readAllLines(dir.resolve("work/shipped.txt")))
        .containsExactly("v1", "v2", "back v1");
    assertThat(awaitFinished(v2).get("status").asText()).isEqualTo("rolled_back");
    assertThat(
            server.get("/api/v1/deploy/" + v2 + "/logs", "Authorization", bearer(developer)).body())
        .contains("\"text\":\"healthy\"")
        .endsWith(
            "\"text\":\"rolled_back\",\"detail\":\"rolled back by "
                + back.get("deployment_id").asText()
                + "\"}\n\n");
    HttpResponse<String> again =
        server.post(
            "/api/v1/deploy/" + v2 + "/rollback", JSON, "", "Authorization", bearer(developer));
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(
            server
                .post(
                    "/api/v1/deploy/" + v2 + "/rollback",
                    JSON,
                    "",
                    "Authorization",
                    bearer(server.key(Role.user)))
                .statusCode())
        .isEqualTo(403);
  }
}
