package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A bad element of a list field is a 400 naming the element, never a 500. */
class ListFieldValidationTest {
  private static final String JSON = "application/json";
  @TempDir static Path dir;
  private static TestServer server;
  private static String key;

  @BeforeAll
  static void start() {
    server = TestServer.start(dir);
    key = server.key(Role.admin);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "/api/v1/swarm/trigger | {\"task\":\"x y\",\"agents\":[null]}             | agents[0]",
        "/api/v1/swarm/trigger | {\"task\":\"x y\",\"agents\":[\"research\",null]} | agents[1]",
        "/api/v1/swarm/trigger | {\"task\":\"x y\",\"agents\":[\"Bad Name\"]}     | agents[0]",
        "/api/v1/swarm/trigger | {\"task\":\"x y\",\"agents\":[[]]}               | agents[0]",
        "/api/v1/swarm/trigger | {\"task\":\"x y\",\"agents\":[{}]}               | agents[0]",
        "/api/v1/swarm/trigger | {\"task\":\"x y\",\"authorize\":[null]}          | authorize[0]",
        "/api/v1/swarm/trigger | {\"task\":\"x y\",\"authorize\":[\"write\",null]} | authorize[1]",
        "/api/v1/intelligence/query | {\"query\":\"x\",\"agent_type\":\"research\",\"authorize\":[null]} | authorize[0]",
        "/api/v1/code/modify   | {\"repository\":\"r\",\"files\":[null]}          | files[0].path",
        "/api/v1/code/modify   | {\"repository\":\"r\",\"files\":[{\"content\":\"x\"}]} | files[0].path",
      })
  void post_badListElement_400NamingTheElement(String path, String body, String field) {
    HttpResponse<String> response = server.post(path, JSON, body, "X-API-Key", key);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    JsonNode problem = TestServer.json(response);
    assertThat(problem.get("field").asText()).isEqualTo(field);
    TestServer.assertNoInternals(response, dir);
  }
}
