package ai.sophia.cli;

import ai.sophia.config.SophiaConfig;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.NotFoundException;
import ai.sophia.error.SophiaException;
import ai.sophia.server.RunningServer;
import ai.sophia.server.http.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The API of the {@code sophia serve} that runs on the same data directory, for the commands that
 * would otherwise open the index it holds ({@code ingest}, {@code research}, {@code memory}).
 * Problems it answers become the CLI's own failures: a 400 is the user's input (exit 2), anything
 * else a failure to run (exit 1), each with the server's detail.
 */
final class ServerClient {
  static final ObjectMapper JSON =
      Json.mapper().copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final RunningServer server;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ServerClient(RunningServer server) {
    this.server = server;
  }

  /** The server running on this configuration's data directory, if one is. */
  static Optional<ServerClient> beside(SophiaConfig config) {
    return RunningServer.find(config.dataDir()).map(ServerClient::new);
  }

  String url() {
    return server.url();
  }

  JsonNode get(String path) {
    return json(send(request(path).GET(), HttpResponse.BodyHandlers.ofString()));
  }

  JsonNode post(String path, Object body) {
    return json(send(post(path, body, "application/json"), HttpResponse.BodyHandlers.ofString()));
  }

  /** One server-sent event. */
  record Event(long id, String name, JsonNode data) {}

  /**
   * POSTs {@code body} (or GETs, when it is null) asking for an event stream, and hands each event
   * to {@code handler} until it returns true (the event it wanted last) or the stream ends.
   */
  void events(String path, Object body, Predicate<Event> handler) {
    HttpRequest.Builder builder =
        body == null
            ? request(path).GET().header("Accept", "text/event-stream")
            : post(path, body, "text/event-stream");
    HttpResponse<java.util.stream.Stream<String>> response =
        send(builder, HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() >= 300) {
      String text = String.join("\n", response.body().toList());
      throw failure(response.statusCode(), parse(text));
    }
    long id = 0;
    String name = "message";
    StringBuilder data = new StringBuilder();
    try (var lines = response.body()) {
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (line.isEmpty()) {
          if (!data.isEmpty() && handler.test(new Event(id, name, parse(data.toString())))) {
            return;
          }
          name = "message";
          data.setLength(0);
        } else if (line.startsWith("id:")) {
          id = Long.parseLong(line.substring(3).strip());
        } else if (line.startsWith("event:")) {
          name = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).strip());
        }
      }
    }
    throw new SophiaException("the server at " + url() + " ended the event stream early", true);
  }

  /** The problem an {@code error} event carries, as the CLI's failure. */
  static SophiaException failure(JsonNode problem) {
    return failure(problem.path("status").asInt(500), problem);
  }

  private static SophiaException failure(int status, JsonNode problem) {
    String detail = problem.path("detail").asText("");
    if (detail.isEmpty()) {
      detail = "the server answered HTTP " + status;
    }
    return switch (status) {
      case 400 -> new InvalidInputException(problem.path("field").asText("input"), detail);
      case 404 -> new NotFoundException(detail);
      default -> new SophiaException(detail, true);
    };
  }

  private HttpRequest.Builder post(String path, Object body, String accept) {
    try {
      return request(path)
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
          .header("Content-Type", "application/json")
          .header("Accept", accept);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a request body must always serialize", e);
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(server.url() + path))
        .header("Authorization", "Bearer " + server.key());
  }

  private <T> HttpResponse<T> send(HttpRequest.Builder builder, HttpResponse.BodyHandler<T> body) {
    try {
      return http.send(builder.build(), body);
    } catch (IOException e) {
      throw new SophiaException(
          "the server running on this data directory ("
              + url()
              + ") does not answer: "
              + e.getMessage()
              + "; stop it or wait until it is up",
          true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SophiaException("interrupted while waiting for the server at " + url(), true);
    }
  }

  private static JsonNode json(HttpResponse<String> response) {
    JsonNode body = parse(response.body());
    if (response.statusCode() >= 300) {
      throw failure(response.statusCode(), body);
    }
    return body;
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text.isEmpty() ? "{}" : text);
    } catch (JsonProcessingException e) {
      return JSON.createObjectNode().put("detail", "the server's answer is not JSON");
    }
  }
}
