package ai.sophia.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A small client of the Fly.io Machines API ({@code /v1/apps/{app}/machines...}): read, create,
 * update under a lease with the {@code current_version} precondition, wait for a state, destroy.
 * The token goes into the Authorization header and nowhere else: errors carry the status and the
 * API's {@code error} text, never the request.
 */
final class FlyMachines {
  static final String LEASE_HEADER = "fly-machine-lease-nonce";
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http;
  private final String base;
  private final String token;
  private final ObjectMapper json;

  FlyMachines(HttpClient http, String baseUrl, String token, ObjectMapper json) {
    this.http = http;
    this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
    this.json = json;
  }

  /** A refusal or failure of the API: its HTTP status (0 when unreachable) and error text. */
  static final class FlyApiException extends RuntimeException {
    final int status;

    FlyApiException(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  JsonNode app(String app) {
    return call("GET", "/apps/" + enc(app), null, "", CALL_TIMEOUT);
  }

  List<JsonNode> machines(String app) {
    List<JsonNode> out = new ArrayList<>();
    call("GET", "/apps/" + enc(app) + "/machines", null, "", CALL_TIMEOUT).forEach(out::add);
    return out;
  }

  JsonNode machine(String app, String id) {
    return call("GET", machinePath(app, id), null, "", CALL_TIMEOUT);
  }

  /** Takes the machine's lease for {@code ttlSeconds}; returns its nonce. */
  String lease(String app, String id, int ttlSeconds, String description) {
    ObjectNode body = json.createObjectNode().put("ttl", ttlSeconds);
    body.put("description", description);
    JsonNode r = call("POST", machinePath(app, id) + "/lease", body, "", CALL_TIMEOUT);
    String nonce = r.path("data").path("nonce").asText("");
    if (nonce.isEmpty()) {
      throw new FlyApiException(200, "the lease answer of machine " + id + " has no nonce");
    }
    return nonce;
  }

  void release(String app, String id, String nonce) {
    call("DELETE", machinePath(app, id) + "/lease", null, nonce, CALL_TIMEOUT);
  }

  /**
   * Replaces the machine's config; {@code currentVersion} (its {@code instance_id}) makes the API
   * refuse if someone changed the machine meanwhile.
   */
  JsonNode update(String app, String id, JsonNode config, String currentVersion, String nonce) {
    ObjectNode body = json.createObjectNode();
    body.set("config", config);
    body.put("current_version", currentVersion);
    return call("POST", machinePath(app, id), body, nonce, CALL_TIMEOUT);
  }

  JsonNode create(String app, JsonNode config, String region) {
    ObjectNode body = json.createObjectNode();
    body.set("config", config);
    if (!region.isEmpty()) {
      body.put("region", region);
    }
    return call("POST", "/apps/" + enc(app) + "/machines", body, "", CALL_TIMEOUT);
  }

  /**
   * Waits up to {@code timeoutSeconds} (the API allows at most 60) for the machine version to reach
   * {@code state}: true when it did, false on the API's 408.
   */
  boolean waitFor(String app, String id, String instanceId, String state, int timeoutSeconds) {
    String path =
        machinePath(app, id)
            + "/wait?state="
            + enc(state)
            + "&timeout="
            + timeoutSeconds
            + (instanceId.isEmpty() ? "" : "&instance_id=" + enc(instanceId));
    try {
      call("GET", path, null, "", Duration.ofSeconds(timeoutSeconds + 10L));
      return true;
    } catch (FlyApiException e) {
      if (e.status == 408) {
        return false;
      }
      throw e;
    }
  }

  void destroy(String app, String id) {
    call("DELETE", machinePath(app, id) + "?force=true", null, "", CALL_TIMEOUT);
  }

  private static String machinePath(String app, String id) {
    return "/apps/" + enc(app) + "/machines/" + enc(id);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private JsonNode call(String method, String path, JsonNode body, String nonce, Duration timeout) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(timeout)
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json");
    if (!nonce.isEmpty()) {
      b.header(LEASE_HEADER, nonce);
    }
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    String what = method + " " + path.replaceAll("\\?.*", "");
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new FlyApiException(0, what + ": Machines API unreachable (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FlyApiException(0, what + ": interrupted");
    }
    JsonNode parsed = parse(r.body());
    if (r.statusCode() / 100 != 2) {
      String error = parsed.path("error").asText("");
      throw new FlyApiException(
          r.statusCode(),
          what
              + " answered "
              + r.statusCode()
              + (error.isEmpty() ? "" : ": " + error)
              + (r.statusCode() == 401 ? " (check the token's environment variable)" : ""));
    }
    return parsed;
  }

  private JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return json.createObjectNode();
    }
    try {
      return json.readTree(body);
    } catch (IOException e) {
      return json.createObjectNode().put("error", "(not JSON)");
    }
  }
}
