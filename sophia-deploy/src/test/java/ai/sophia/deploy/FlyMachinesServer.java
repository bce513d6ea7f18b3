package ai.sophia.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A loopback stand-in for the Fly.io Machines API ({@code https://api.machines.dev/v1}), speaking
 * its wire format: apps, machines with {@code instance_id} versions and {@code checks}, leases with
 * the {@code fly-machine-lease-nonce} header, updates with the {@code current_version}
 * precondition, the wait call (408 on timeout), start, stop, destroy, and errors as {@code
 * {"error": "..."}} with the API's status codes. A machine takes {@link #startDelayMs} to reach
 * {@code started} after a change; its checks are {@code critical} when its image contains {@code
 * broken}, {@code passing} otherwise.
 */
public final class FlyMachinesServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One request as served: method, path, the lease nonce it carried ("" for none), status. */
  public record Call(String method, String path, String nonce, int status) {
    @Override
    public String toString() {
      return method + " " + path + (nonce.isEmpty() ? "" : " [lease]") + " -> " + status;
    }
  }

  private final HttpServer server;
  private final String app;
  private final String token;
  private final Map<String, Machine> machines = new LinkedHashMap<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  volatile long startDelayMs = 150;

  /** A machine that never starts on any image other than its first; "" for none. */
  volatile String stuckMachine = "";

  /** A machine whose checks fail once it runs any image other than its first; "" for none. */
  volatile String failingMachine = "";

  private static final class Machine {
    String id;
    String region;
    String state;
    String instanceId;
    ObjectNode config;
    long readyAt;
    String firstImage = "";
    String leaseNonce = "";
    long leaseExpires;
  }

  private FlyMachinesServer(String app, String token) {
    this.app = app;
    this.token = token;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/v1/", this::handle);
    server.start();
  }

  public static FlyMachinesServer start(String app, String token) {
    return new FlyMachinesServer(app, token);
  }

  /** Adds a started machine running {@code image} in {@code region}; returns its id. */
  public synchronized String machine(String region, String image) {
    Machine m = new Machine();
    m.id = hex(7);
    m.region = region;
    m.state = "started";
    m.instanceId = version();
    m.config = JSON.createObjectNode().put("image", image);
    m.firstImage = image;
    m.config.putObject("guest").put("cpu_kind", "shared").put("cpus", 1).put("memory_mb", 256);
    m.config.putArray("checks");
    machines.put(m.id, m);
    return m.id;
  }

  /** The base URL to configure as {@code api_url}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Every Authorization header received. */
  public List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  /** The images of the machines that exist now, in creation order. */
  public synchronized List<String> images() {
    return machines.values().stream().map(m -> m.config.path("image").asText()).toList();
  }

  public synchronized List<String> machineIds() {
    return List.copyOf(machines.keySet());
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getPath();
    String nonce = header(ex, "fly-machine-lease-nonce");
    String auth = header(ex, "Authorization");
    authorizations.add(auth);
    Reply reply;
    if (!auth.equals("Bearer " + token)) {
      reply = error(401, "You must be authenticated to view this.");
    } else {
      try {
        reply = route(method, path, query(ex), nonce, ex.getRequestBody().readAllBytes());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        reply = error(500, "interrupted");
      }
    }
    calls.add(new Call(method, path, nonce, reply.status()));
    byte[] body = reply.body().toString().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(reply.status(), body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private record Reply(int status, JsonNode body) {}

  private Reply route(String method, String path, Map<String, String> q, String nonce, byte[] raw)
      throws InterruptedException {
    String[] parts = path.substring("/v1/".length()).split("/");
    if (parts.length < 2 || !parts[0].equals("apps")) {
      return error(404, "not found");
    }
    if (!parts[1].equals(app)) {
      return error(404, "app not found");
    }
    if (parts.length == 2 && method.equals("GET")) {
      ObjectNode a =
          JSON.createObjectNode().put("id", app).put("name", app).put("status", "deployed");
      a.putObject("organization").put("name", "Personal").put("slug", "personal");
      return new Reply(200, a);
    }
    if (parts.length < 3 || !parts[2].equals("machines")) {
      return error(404, "not found");
    }
    JsonNode body = parse(raw);
    if (parts.length == 3) {
      return switch (method) {
        case "GET" -> list();
        case "POST" -> create(body);
        default -> error(405, "method not allowed");
      };
    }
    String id = parts[3];
    String action = parts.length > 4 ? parts[4] : "";
    synchronized (this) {
      if (!machines.containsKey(id)) {
        return error(404, "machine not found");
      }
    }
    return switch (method + " " + action) {
      case "GET " -> new Reply(200, view(id));
      case "POST " -> update(id, body, nonce);
      case "DELETE " -> destroy(id, "true".equals(q.get("force")));
      case "POST lease" -> lease(id, body);
      case "DELETE lease" -> release(id, nonce);
      case "GET wait" -> waitFor(id, q);
      case "POST start" -> setState(id, "started");
      case "POST stop" -> setState(id, "stopped");
      default -> error(404, "not found");
    };
  }

  private synchronized Reply list() {
    ArrayNode out = JSON.createArrayNode();
    machines.keySet().forEach(id -> out.add(view(id)));
    return new Reply(200, out);
  }

  private synchronized Reply create(JsonNode body) {
    if (!body.path("config").isObject() || body.path("config").path("image").asText("").isEmpty()) {
      return error(400, "config.image is required");
    }
    Machine m = new Machine();
    m.id = hex(7);
    m.region = body.path("region").asText("iad");
    m.config = (ObjectNode) body.path("config").deepCopy();
    changed(m);
    machines.put(m.id, m);
    return new Reply(200, view(m.id));
  }

  private synchronized Reply update(String id, JsonNode body, String nonce) {
    Machine m = machines.get(id);
    if (leased(m) && !m.leaseNonce.equals(nonce)) {
      return error(
          409,
          "lease currently held by another client, expires at "
              + Instant.ofEpochMilli(m.leaseExpires));
    }
    String current = body.path("current_version").asText("");
    if (!current.isEmpty() && !current.equals(m.instanceId)) {
      return error(
          412, "machine version mismatch: current version is " + m.instanceId + ", not " + current);
    }
    if (!body.path("config").isObject()) {
      return error(400, "config is required");
    }
    m.config = (ObjectNode) body.path("config").deepCopy();
    changed(m);
    m.state = "replacing";
    return new Reply(200, view(id));
  }

  private synchronized Reply destroy(String id, boolean force) {
    Machine m = machines.get(id);
    if (state(m).equals("started") && !force) {
      return error(412, "unable to destroy machine, not currently stopped");
    }
    machines.remove(id);
    return new Reply(200, JSON.createObjectNode().put("ok", true));
  }

  private synchronized Reply lease(String id, JsonNode body) {
    Machine m = machines.get(id);
    if (leased(m)) {
      return error(409, "lease currently held by another client");
    }
    m.leaseNonce = hex(8);
    m.leaseExpires = System.currentTimeMillis() + body.path("ttl").asLong(30) * 1000;
    ObjectNode r = JSON.createObjectNode().put("status", "success");
    r.putObject("data")
        .put("nonce", m.leaseNonce)
        .put("expires_at", m.leaseExpires / 1000)
        .put("owner", "sophia@example.com")
        .put("description", body.path("description").asText(""))
        .put("version", hex(8));
    return new Reply(200, r);
  }

  private synchronized Reply release(String id, String nonce) {
    Machine m = machines.get(id);
    if (!leased(m) || !m.leaseNonce.equals(nonce)) {
      return error(409, "lease nonce does not match the lease held");
    }
    m.leaseNonce = "";
    return new Reply(200, JSON.createObjectNode().put("status", "success"));
  }

  private Reply waitFor(String id, Map<String, String> q) throws InterruptedException {
    String want = q.getOrDefault("state", "started");
    int timeout = Integer.parseInt(q.getOrDefault("timeout", "60"));
    if (timeout < 1 || timeout > 60) {
      return error(400, "timeout must be between 1 and 60 seconds");
    }
    long deadline = System.currentTimeMillis() + timeout * 1000L;
    while (true) {
      synchronized (this) {
        Machine m = machines.get(id);
        if (m == null) {
          return error(404, "machine not found");
        }
        if (state(m).equals(want)) {
          return new Reply(200, JSON.createObjectNode().put("ok", true));
        }
      }
      if (System.currentTimeMillis() >= deadline) {
        return error(
            408,
            "deadline_exceeded: machine " + id + " did not reach " + want + " in " + timeout + "s");
      }
      Thread.sleep(20);
    }
  }

  private synchronized Reply setState(String id, String state) {
    machines.get(id).state = state;
    return new Reply(200, JSON.createObjectNode().put("ok", true));
  }

  private void changed(Machine m) {
    m.instanceId = version();
    m.state = "starting";
    m.readyAt = System.currentTimeMillis() + startDelayMs;
  }

  private String state(Machine m) {
    boolean stuck =
        m.id.equals(stuckMachine) && !m.config.path("image").asText().equals(m.firstImage);
    if (!stuck
        && (m.state.equals("starting") || m.state.equals("replacing"))
        && System.currentTimeMillis() >= m.readyAt) {
      m.state = "started";
    }
    return m.state;
  }

  private static boolean leased(Machine m) {
    return !m.leaseNonce.isEmpty() && System.currentTimeMillis() < m.leaseExpires;
  }

  private synchronized ObjectNode view(String id) {
    Machine m = machines.get(id);
    String state = state(m);
    ObjectNode v = JSON.createObjectNode();
    v.put("id", m.id).put("name", "machine-" + m.id).put("state", state).put("region", m.region);
    v.put("instance_id", m.instanceId).put("private_ip", "fdaa:0:1::" + m.id.substring(0, 4));
    v.set("config", m.config.deepCopy());
    String image = m.config.path("image").asText();
    int colon = image.lastIndexOf(':');
    v.putObject("image_ref")
        .put("registry", "registry.fly.io")
        .put("repository", colon < 0 ? image : image.substring(0, colon))
        .put("tag", colon < 0 ? "latest" : image.substring(colon + 1));
    ArrayNode checks = v.putArray("checks");
    if (state.equals("started")) {
      boolean broken =
          image.contains("broken") || (m.id.equals(failingMachine) && !image.equals(m.firstImage));
      checks
          .addObject()
          .put("name", "servicecheck-00-http-8080")
          .put("status", broken ? "critical" : "passing")
          .put("output", broken ? "HTTP GET /health: 503" : "HTTP GET /health: 200 OK")
          .put("updated_at", Instant.now().toString());
    }
    v.put("created_at", Instant.now().toString()).put("updated_at", Instant.now().toString());
    return v;
  }

  private static Reply error(int status, String message) {
    return new Reply(status, JSON.createObjectNode().put("error", message));
  }

  private static JsonNode parse(byte[] raw) {
    try {
      return raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static String header(HttpExchange ex, String name) {
    String v = ex.getRequestHeaders().getFirst(name);
    return v == null ? "" : v;
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> out = new HashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          out.put(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String version() {
    return "01J" + hex(10).toUpperCase(Locale.ROOT);
  }

  /** Calls matching {@code method} whose path ends with {@code suffix}. */
  public List<Call> calls(String method, String suffix) {
    List<Call> out = new ArrayList<>();
    for (Call c : calls) {
      if (c.method().equals(method) && c.path().endsWith(suffix)) {
        out.add(c);
      }
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
