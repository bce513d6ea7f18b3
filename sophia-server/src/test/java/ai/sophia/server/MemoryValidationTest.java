package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad memory-search and research-lookup input is a 400 naming the parameter, before any work. */
class MemoryValidationTest {
  @TempDir static Path dir;
  private static TestServer server;
  private static String key;

  @BeforeAll
  static void start() {
    server = TestServer.start(dir);
    key = server.key(Role.readonly);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''                      | q     | is required",
        "?q=                     | q     | must not be empty",
        "?q=%20%20               | q     | must not be empty",
        "?q=x&limit=0            | limit | between 1 and 50",
        "?q=x&limit=51           | limit | between 1 and 50",
        "?q=x&limit=ten          | limit | must be an integer",
        "?q=x&limit=2.5          | limit | must be an integer",
        "?q=x&limit=99999999999  | limit | between 1 and 50",
        "?q=x&page=2             | page  | unknown parameter 'page'",
        "?q=x&q=y                | q     | more than once",
        "?q=%E2%80%8B            | q     | has no searchable words",
        "?q=%01                  | q     | has no searchable words",
        "?q=%ED%A0%80            | q     | has no searchable words",
        "?q=%EF%BF%BD%E2%80%8B%07 | q    | has no searchable words",
      })
  void memorySearch_invalidParameters_400NamingIt(String query, String field, String detail) {
    HttpResponse<String> response = server.get("/api/v1/memory/search" + query, "X-API-Key", key);

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode problem = TestServer.json(response);
    assertThat(problem.get("field").asText()).isEqualTo(field);
    assertThat(problem.get("detail").asText()).contains(detail);
    TestServer.assertNoInternals(response, dir);
  }

  @Test
  void memorySearch_queryOver1000Characters_400() {
    HttpResponse<String> response =
        server.get("/api/v1/memory/search?q=" + "a".repeat(1001), "X-API-Key", key);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(response).get("detail").asText()).contains("1001");
  }

  @Test
  void researchLookup_malformedId_400() {
    HttpResponse<String> response = server.get("/api/v1/research/a%20b", "X-API-Key", key);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(response).get("field").asText()).isEqualTo("id");
  }
}
