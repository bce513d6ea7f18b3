package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Requests so broken that Jetty refuses them before routing still get a 4xx problem+json answer,
 * never an HTML page or a 500. Sent over a raw socket, since no HTTP client sends such things.
 */
class MalformedHttpTest {
  @TempDir static Path dir;
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(dir);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String exchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bad percent-encoding | GET /api/v1/%zz HTTP/1.1",
        "control character    | GET /health\u0001 HTTP/1.1",
        "garbage request line | NONSENSE",
      })
  void request_unparseable_4xxProblemJson(String name, String requestLine) throws IOException {
    String response = exchange(requestLine + "\r\nHost: localhost\r\nConnection: close\r\n\r\n");

    String statusLine = response.lines().findFirst().orElseThrow();
    assertThat(statusLine).matches("HTTP/1\\.1 4\\d\\d .*");
    assertThat(response.toLowerCase()).contains("content-type: application/problem+json");
    assertThat(response).contains("\"status\":4").doesNotContain("<html");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {"header too large | 20000"})
  void request_oversizedHeader_431ProblemJson(String name, int size) throws IOException {
    String response =
        exchange(
            "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                + "a".repeat(size)
                + "\r\nConnection: close\r\n\r\n");

    assertThat(response.lines().findFirst().orElseThrow()).startsWith("HTTP/1.1 431");
    assertThat(response.toLowerCase()).contains("content-type: application/problem+json");
  }
}
