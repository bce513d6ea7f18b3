package ai.sophia.server;

import static ai.sophia.server.TestServer.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.code.GitRemotes;
import ai.sophia.health.HealthChecks;
import ai.sophia.security.Role;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property: every REST endpoint answers a hostile value in any one of its fields with a success or
 * a 4xx problem naming what is wrong — never a 5xx, a stack trace or a server path. One server for
 * the class; research is a recording stub, models are offline, code changes go to a local bare
 * repository, and the deploy target runs {@code true}. No such request may log an ERROR line.
 */
class RestFuzzTest {
  private static final String JSON = "application/json";
  private static final int TRIES = 200;
  private static Path dir;
  private static Path data;
  private static TestServer server;
  private static String user;
  private static String developer;
  private static String admin;
  private static ErrorLog errors;

  @BeforeContainer
  static void start() throws Exception {
    dir = Naughty.tempDir("sophia-rest-fuzz");
    data = Files.createDirectories(dir.resolve("data"));
    Path remote = GitRemotes.bare(dir.resolve("demo.git"));
    String yaml =
        "code:\n  repositories:\n    demo:\n      url: "
            + remote
            + "\ndeploy:\n  targets:\n    site:\n      type: command\n      command: [\"true\"]\n";
    server =
        TestServer.create(
            data,
            Naughty.UNLIMITED,
            yaml,
            new ChatRouteTest.RecordingResearcher(),
            HealthChecks.create());
    user = server.key(Role.user);
    developer = server.key(Role.developer);
    admin = server.key(Role.admin);
    errors = ErrorLog.attach();
  }

  @AfterContainer
  static void stop() {
    errors.detach();
    server.close();
    Naughty.delete(dir);
  }

  private static HttpResponse<String> post(String path, String body, String key) {
    HttpResponse<String> response = server.post(path, JSON, body, "Authorization", bearer(key));
    assertThat(errors.drain()).as("ERROR lines logged for " + body).isEmpty();
    return response;
  }

  @Provide
  Arbitrary<String> values() {
    return Naughty.values();
  }

  @Property(tries = TRIES)
  void chat_hostileField_successOr4xxProblem(
      @ForAll("chatFields") String field, @ForAll("values") String value) {
    Map<String, Object> base =
        Map.of("query", "how does WAL work", "sources_limit", 3, "search_engine", "local");

    String body = Naughty.body(base, field, value);

    Naughty.assertAnswered(post("/api/v1/chat", body, user), data, body);
  }

  @Provide
  Arbitrary<String> chatFields() {
    return Arbitraries.of("query", "sources_limit", "search_engine");
  }

  @Property(tries = TRIES)
  void memorySearch_hostileParameter_successOr4xxProblem(
      @ForAll("queryTexts") String q, @ForAll("limits") String limit) {
    String query = "?q=" + Naughty.urlEncode(q) + "&limit=" + Naughty.urlEncode(limit);

    Naughty.assertAnswered(
        server.get("/api/v1/memory/search" + query, "Authorization", bearer(user)),
        data,
        q + limit);
    assertThat(errors.drain()).as("ERROR lines logged for " + query).isEmpty();
  }

  @Provide
  Arbitrary<String> queryTexts() {
    return Arbitraries.oneOf(Naughty.strings(), Arbitraries.just("write-ahead log"));
  }

  @Provide
  Arbitrary<String> limits() {
    return Arbitraries.oneOf(
        Naughty.strings(), Arbitraries.integers().between(-5, 60).map(String::valueOf));
  }

  @Property(tries = TRIES)
  void swarmTrigger_hostileField_successOr4xxProblem(
      @ForAll("swarmFields") String field, @ForAll("swarmValues") String value) {
    Map<String, Object> base =
        Map.of(
            "task", "summarize what we know about WAL", "objective", "a page", "priority", "low");

    String body = Naughty.body(base, field, value);

    Naughty.assertAnswered(post("/api/v1/swarm/trigger", body, user), data, body);
  }

  @Provide
  Arbitrary<String> swarmFields() {
    return Arbitraries.of("task", "agents", "objective", "priority");
  }

  @Provide
  Arbitrary<String> swarmValues() {
    Arbitrary<String> lists = Naughty.strings().list().ofMaxSize(3).map(Naughty::json);
    return Arbitraries.oneOf(Naughty.values(), lists);
  }

  @Property(tries = TRIES)
  void intelligenceQuery_hostileField_successOr4xxProblem(
      @ForAll("queryFields") String field, @ForAll("values") String value) {
    Map<String, Object> base = Map.of("query", "what is WAL", "session_id", "fuzz-session");

    String body = Naughty.body(base, field, value);

    Naughty.assertAnswered(post("/api/v1/intelligence/query", body, user), data, body);
  }

  @Provide
  Arbitrary<String> queryFields() {
    return Arbitraries.of("query", "agent_type", "session_id");
  }

  @Property(tries = TRIES)
  void codeModify_hostileField_successOr4xxProblem(
      @ForAll("codeFields") String field, @ForAll("values") String value) {
    Map<String, Object> base =
        Map.of(
            "content", "# Fuzz\n",
            "file_path", "docs/fuzz.md",
            "branch_name", "fuzz/one",
            "commit_message", "docs: fuzz",
            "dry_run", true);

    String body = Naughty.body(base, field, value);

    Naughty.assertAnswered(post("/api/v1/code/modify", body, developer), data, body);
  }

  @Provide
  Arbitrary<String> codeFields() {
    return Arbitraries.of("content", "file_path", "branch_name", "commit_message");
  }

  @Property(tries = TRIES)
  void deployTrigger_hostileField_successOr4xxProblem(
      @ForAll("deployFields") String field, @ForAll("values") String value) {
    Map<String, Object> base =
        Map.of("target", "site", "environment", "staging", "deployment_type", "standard");

    String body = Naughty.body(base, field, value);

    Naughty.assertAnswered(post("/api/v1/deploy/trigger", body, developer), data, body);
  }

  @Provide
  Arbitrary<String> deployFields() {
    return Arbitraries.of("deployment_type", "environment", "target");
  }

  @Property(tries = TRIES)
  void ingest_hostileField_successOr4xxProblem(
      @ForAll("ingestFields") String field, @ForAll("values") String value) {
    // A loopback URL without allow_private: a valid body starts a job the crawler refuses at once.
    Map<String, Object> base = Map.of("url", "http://127.0.0.1:1/docs/", "max_pages", 2);

    String body = Naughty.body(base, field, value);

    Naughty.assertAnswered(post("/api/v1/ingest", body, developer), data, body);
  }

  @Provide
  Arbitrary<String> ingestFields() {
    return Arbitraries.of("url", "path", "max_pages", "max_depth", "allow_private");
  }

  @Property(tries = TRIES)
  void signIn_hostileKey_successOr4xxProblem(@ForAll("values") String value) {
    String body = Naughty.body(Map.of("api_key", user), "api_key", value);

    Naughty.assertAnswered(post("/api/v1/session", body, user), data, body);
  }

  @Property(tries = TRIES)
  void keyCreate_hostileField_successOr4xxProblem(
      @ForAll("keyFields") String field, @ForAll("values") String value) {
    String body = Naughty.body(Map.of("name", "fuzz", "role", "readonly"), field, value);

    Naughty.assertAnswered(post("/api/v1/keys", body, admin), data, body);
  }

  @Provide
  Arbitrary<String> keyFields() {
    return Arbitraries.of("name", "role", "expires_in_days");
  }
}
