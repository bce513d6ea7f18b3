package ai.sophia.code;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Stands in for api.github.com on loopback, speaking its REST format for pull requests: {@code GET
 * /repos/{o}/{r}/pulls?head=o:branch&state=open}, {@code POST /repos/{o}/{r}/pulls} (201, or 422 "A
 * pull request already exists for o:branch."), rate-limit headers on every answer, and scripted
 * failures (403 rate limited with retry-after, 409) ahead of the real answer. Checks the bearer
 * token.
 */
public final class LoopbackGitHub implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A scripted answer: status, headers, body. */
  public record Canned(int status, Map<String, String> headers, String body) {}

  private final HttpServer server;
  private final String owner;
  private final String repo;
  private final String token;
  private final List<ObjectNode> pulls = new ArrayList<>();
  private final Deque<Canned> script = new ArrayDeque<>();
  private final List<String> requests = new ArrayList<>();
  private final List<String> authorizations = new ArrayList<>();

  private LoopbackGitHub(String owner, String repo, String token) throws IOException {
    this.owner = owner;
    this.repo = repo;
    this.token = token;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  public static LoopbackGitHub start(String owner, String repo, String token) {
    try {
      return new LoopbackGitHub(owner, repo, token);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public String apiUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers the next pull-request POST with this instead. */
  public synchronized LoopbackGitHub thenPost(Canned canned) {
    script.add(canned);
    return this;
  }

  public synchronized List<ObjectNode> pulls() {
    return List.copyOf(pulls);
  }

  /** Every request as {@code METHOD path?query}. */
  public synchronized List<String> requests() {
    return List.copyOf(requests);
  }

  public synchronized long posts() {
    return requests.stream().filter(r -> r.startsWith("POST")).count();
  }

  public synchronized List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  private synchronized void handle(HttpExchange ex) throws IOException {
    String query = ex.getRequestURI().getRawQuery();
    String path = ex.getRequestURI().getPath();
    requests.add(ex.getRequestMethod() + " " + path + (query == null ? "" : "?" + query));
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    authorizations.add(auth == null ? "" : auth);
    ex.getResponseHeaders().add("x-ratelimit-limit", "5000");
    ex.getResponseHeaders().add("x-ratelimit-remaining", "4999");
    ex.getResponseHeaders()
        .add("x-ratelimit-reset", Long.toString(System.currentTimeMillis() / 1000 + 3600));
    if (!("Bearer " + token).equals(auth)) {
      send(ex, 401, "{\"message\":\"Bad credentials\",\"status\":\"401\"}");
      return;
    }
    String pullsPath = "/repos/" + owner + "/" + repo + "/pulls";
    if (!path.equals(pullsPath)) {
      send(ex, 404, "{\"message\":\"Not Found\"}");
      return;
    }
    if (ex.getRequestMethod().equals("GET")) {
      String head = param(query, "head");
      ArrayNode list = JSON.createArrayNode();
      for (ObjectNode pr : pulls) {
        if ((owner + ":" + pr.path("head").path("ref").asText()).equals(head)
            && pr.path("state").asText().equals("open")) {
          list.add(pr);
        }
      }
      send(ex, 200, list.toString());
      return;
    }
    JsonNode body = JSON.readTree(ex.getRequestBody());
    Canned canned = script.poll();
    if (canned != null && canned.status() == 422) {
      // Someone else opened the branch's pull request just before this POST.
      pulls.add(pull(pulls.size() + 1, body, "opened by someone else"));
    }
    if (canned != null) {
      canned.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
      send(ex, canned.status(), canned.body());
      return;
    }
    String head = body.path("head").asText();
    if (pulls.stream().anyMatch(p -> p.path("head").path("ref").asText().equals(head))) {
      send(
          ex,
          422,
          "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":\"PullRequest\",\"code\":"
              + "\"custom\",\"message\":\"A pull request already exists for "
              + owner
              + ":"
              + head
              + ".\"}],\"documentation_url\":\"https://docs.github.com/rest/pulls/pulls#create-a-pull-request\",\"status\":\"422\"}");
      return;
    }
    ObjectNode pr = pull(pulls.size() + 1, body, body.path("body").asText());
    pulls.add(pr);
    send(ex, 201, pr.toString());
  }

  private ObjectNode pull(int number, JsonNode body, String text) {
    String head = body.path("head").asText();
    String pullsPath = "/repos/" + owner + "/" + repo + "/pulls";
    ObjectNode pr = JSON.createObjectNode();
    pr.put("url", apiUrl() + pullsPath + "/" + number)
        .put("number", number)
        .put("state", "open")
        .put("title", body.path("title").asText())
        .put("body", text)
        .put("draft", body.path("draft").asBoolean(false))
        .put("html_url", "https://github.com/" + owner + "/" + repo + "/pull/" + number);
    pr.putObject("head").put("ref", head).put("label", owner + ":" + head);
    pr.putObject("base").put("ref", body.path("base").asText());
    return pr;
  }

  private static String param(String query, String name) {
    if (query == null) {
      return "";
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return "";
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
