package ai.sophia.server;

import ai.sophia.cache.CacheRegistry;
import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.health.HealthChecks;
import ai.sophia.research.*;
import ai.sophia.security.*;
import io.micrometer.prometheusmetrics.*;
import java.net.*;
import java.net.http.*;
import java.time.Instant;
import java.util.*;
import org.junit.jupiter.api.Test;

class ProbeTest {
  static class Keys implements ApiKeyStore {
    public IssuedKey create(String name, Role role) { throw new UnsupportedOperationException(); }
    public List<ApiKey> list() { return List.of(); }
    public boolean revoke(String id) { return false; }
    public Optional<ApiKey> authenticate(String s) {
      return s.equals("good") ? Optional.of(new ApiKey("k1", "n", Role.user, "sk", Instant.now(), Optional.empty())) : Optional.empty();
    }
    public long countActive() { return 1; }
  }

  @Test
  void probe() throws Exception {
    SophiaConfig config = ConfigLoader.create(Map.of("SOPHIA_SERVER_PORT", "0")).load(Optional.empty());
    Researcher r = new Researcher() {
      public ResearchResult research(ResearchRequest q, ResearchProgress p) { throw new IllegalStateException("boom"); }
      public Optional<ResearchResult> find(String id) { return Optional.empty(); }
      public List<MemoryHit> searchMemory(String q, int l) { return List.of(new MemoryHit("u","t","x","c",0.5)); }
    };
    try (SophiaServer s = SophiaServer.create(config, r, new Keys(), HealthChecks.create(), CacheRegistry.create(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      int port = s.start();
      HttpClient c = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + port;
      String[][] reqs = {
        {"GET", "/health", null, null},
        {"GET", "/nope", null, null},
        {"GET", "/nope", "good", null},
        {"DELETE", "/api/v1/chat", "good", null},
        {"GET", "/api/v1/chat", null, null},
        {"GET", "/api/v1/system/stats", "good", null},
        {"GET", "/api/v1/system/stats", "bad", null},
        {"POST", "/api/v1/chat", "good", "{\"query\": 5}"},
        {"POST", "/api/v1/chat", "good", "{\"query\": \"x\", \"sources_limit\": \"5\"}"},
        {"POST", "/api/v1/chat", "good", "{\"query\": \"x\", \"sources_limit\": 2.5}"},
        {"POST", "/api/v1/chat", "good", "{\"query\": \"x\", \"sources_limit\": 99999999999999}"},
        {"POST", "/api/v1/chat", "good", "{\"query\": \"x\", \"bogus\": 1}"},
        {"POST", "/api/v1/chat", "good", "{\"query\": \"x\", \"query\": \"y\"}"},
        {"POST", "/api/v1/chat", "good", "{\"query\": \"x\",}"},
        {"POST", "/api/v1/chat", "good", "[1]"},
        {"POST", "/api/v1/chat", "good", "\"s\""},
        {"POST", "/api/v1/chat", "good", "{} x"},
        {"POST", "/api/v1/chat", "good", "{\"query\": \"x\"}"},
        {"POST", "/api/v1/chat", "good", "x".repeat(70000)},
        {"GET", "/api/v1/memory/search?q=hi&limit=x", "good", null},
        {"GET", "/api/v1/memory/search?q=hi", "good", null},
        {"GET", "/api/v1/research/abc", "good", null},
        {"GET", "/metrics", "good", null},
      };
      for (String[] q : reqs) {
        var b = HttpRequest.newBuilder(URI.create(base + q[1]));
        if (q[2] != null) b.header("Authorization", "Bearer " + q[2]);
        if (q[3] != null) b.header("Content-Type", "application/json");
        b.method(q[0], q[3] == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(q[3]));
        try {
          var resp = c.send(b.build(), HttpResponse.BodyHandlers.ofString());
          String body = resp.body();
          System.out.println(q[0] + " " + q[1] + " -> " + resp.statusCode() + " " + resp.headers().map() + "\n   " + (body.length() > 600 ? body.substring(0, 600) : body));
        } catch (Exception e) { System.out.println(q[0] + " " + q[1] + " -> EXC " + e); }
      }
    }
  }
}
