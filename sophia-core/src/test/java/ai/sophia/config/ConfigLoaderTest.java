package ai.sophia.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path yaml(String text) throws Exception {
    Path file = dir.resolve("sophia.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void load_noFileNoEnv_givesDefaults() {
    SophiaConfig c = ConfigLoader.create(Map.of()).load(Optional.of(writeEmpty()));
    assertThat(c.server().port()).isEqualTo(8080);
    assertThat(c.research().defaultEngine()).isEqualTo("duckduckgo");
    assertThat(c.environment()).isEqualTo(SophiaConfig.Environment.development);
  }

  private Path writeEmpty() {
    try {
      return yaml("");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void load_fileThenEnv_envWins() throws Exception {
    Path file = yaml("server:\n  port: 9000\nresearch:\n  default_engine: local\n");
    SophiaConfig c =
        ConfigLoader.create(
                Map.of(
                    "SOPHIA_SERVER_PORT",
                    "9100",
                    "SOPHIA_RESEARCH_FETCH_ALLOWED_PRIVATE_RANGES",
                    "10.0.0.0/8, 192.168.1.0/24"))
            .load(Optional.of(file));
    assertThat(c.server().port()).isEqualTo(9100);
    assertThat(c.research().defaultEngine()).isEqualTo("local");
    assertThat(c.research().fetch().allowedPrivateRanges())
        .containsExactly("10.0.0.0/8", "192.168.1.0/24");
  }

  @Test
  void load_unknownKeyAndBadValues_reportsEveryProblemByKey() throws Exception {
    Path file = yaml("server:\n  prot: 1\n");
    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key 'server.prot'");
    Path bad =
        yaml(
            "server:\n  port: 70000\nresearch:\n  default_engine: bing\n  fetch:\n    allowed_private_ranges: [nope]\n");
    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(bad)))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .anyMatch(p -> p.contains("server.port is 70000"))
                    .anyMatch(p -> p.contains("research.default_engine 'bing'"))
                    .anyMatch(p -> p.contains("'nope'")));
  }

  @Test
  void load_mcpServers_openMapReadWithDefaults() throws Exception {
    Path file =
        yaml(
            "mcp:\n  servers:\n    github:\n      command: npx\n      args: [-y, pkg]\n"
                + "      env: [GITHUB_PERSONAL_ACCESS_TOKEN]\n    linear:\n"
                + "      url: https://mcp.linear.app/mcp\n      token_env: LINEAR_API_KEY\n"
                + "      risk: write\n");
    SophiaConfig c = ConfigLoader.create(Map.of()).load(Optional.of(file));

    assertThat(c.mcp().servers()).containsOnlyKeys("github", "linear");
    assertThat(c.mcp().servers().get("github").args()).containsExactly("-y", "pkg");
    assertThat(c.mcp().servers().get("linear").risk()).isEqualTo("write");
    assertThat(c.mcp().allowedOrigins()).isEmpty();
  }

  @Test
  void load_mcpOAuth_readAndValidatedByKey() throws Exception {
    Path good =
        yaml(
            "mcp:\n  servers:\n    crm:\n      url: https://mcp.example.com/mcp\n"
                + "      oauth:\n        token_url: https://auth.example.com/oauth/token\n"
                + "        client_id: sophia\n        client_secret_env: CRM_CLIENT_SECRET\n"
                + "        scope: mcp:read\n");
    SophiaConfig.McpOAuth o =
        ConfigLoader.create(Map.of()).load(Optional.of(good)).mcp().servers().get("crm").oauth();
    assertThat(o)
        .isEqualTo(
            new SophiaConfig.McpOAuth(
                null,
                "https://auth.example.com/oauth/token",
                "sophia",
                "CRM_CLIENT_SECRET",
                null,
                "mcp:read",
                null,
                null));

    Path bad =
        yaml(
            "mcp:\n  servers:\n    crm:\n      url: https://mcp.example.com/mcp\n"
                + "      token_env: CRM_TOKEN\n"
                + "      oauth:\n        token_url: ftp://auth\n"
                + "        client_secret_env: 'the secret itself'\n"
                + "    local:\n      command: x\n      oauth: {client_id: a, client_secret_env: S}\n"
                + "    person:\n      url: https://mcp.example.com/mcp\n"
                + "      oauth: {grant: password, redirect_port: 70000}\n"
                + "    keyed:\n      url: https://mcp.example.com/mcp\n"
                + "      oauth: {client_id: a, client_secret_env: S, private_key_env: K}\n"
                + "    signin:\n      url: https://mcp.example.com/mcp\n"
                + "      oauth: {grant: authorization_code, client_secret_env: S}\n"
                + "    cimd:\n      url: https://mcp.example.com/mcp\n"
                + "      oauth: {grant: authorization_code, client_metadata_url: 'http://x/c.json'}\n"
                + "    cimdpath:\n      url: https://mcp.example.com/mcp\n"
                + "      oauth:\n        grant: authorization_code\n"
                + "        client_metadata_url: 'https://sophia.example.com/api/v1/c.json'\n");
    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(bad)))
        .hasMessageContaining("mcp.servers.crm: set either token_env")
        .hasMessageContaining("mcp.servers.crm.oauth.token_url must be an http or https URL")
        .hasMessageContaining("mcp.servers.crm.oauth.client_id must be set")
        .hasMessageContaining("mcp.servers.crm.oauth.client_secret_env must name an environment")
        .hasMessageContaining("mcp.servers.local.oauth needs url")
        .hasMessageContaining("mcp.servers.person.oauth.grant 'password' is not")
        .hasMessageContaining("mcp.servers.person.oauth.redirect_port is 70000")
        .hasMessageContaining("mcp.servers.keyed.oauth.private_key_env is for client_credentials,")
        .hasMessageContaining("mcp.servers.signin.oauth.client_secret_env needs the client_id")
        .hasMessageContaining("mcp.servers.cimd.oauth.client_metadata_url must be an https URL")
        .hasMessageContaining(
            "mcp.servers.cimdpath.oauth.client_metadata_url's path /api/v1/c.json is one of");
  }

  @Test
  void load_badMcpServers_reportsEachByKey() throws Exception {
    Path file =
        yaml(
            "mcp:\n  allowed_origins: [nope]\n  servers:\n    Bad__Name:\n      command: x\n"
                + "    both:\n      command: x\n      url: http://h/mcp\n"
                + "    risky:\n      command: x\n      risk: admin\n");
    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(file)))
        .hasMessageContaining("mcp.allowed_origins")
        .hasMessageContaining("mcp.servers.Bad__Name: a server name")
        .hasMessageContaining("mcp.servers.both: set either command")
        .hasMessageContaining("mcp.servers.risky.risk 'admin' is not one of read, write, deploy");
  }

  @Test
  void load_wrongTypeFromEnv_namesKey() throws Exception {
    assertThatThrownBy(
            () ->
                ConfigLoader.create(Map.of("SOPHIA_SERVER_PORT", "eighty"))
                    .load(Optional.of(writeEmpty())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.port");
  }

  @Test
  void load_codeRepositories_openMapReadAndCheckedByKey() throws Exception {
    Path good =
        java.nio.file.Files.writeString(
            dir.resolve("code.yaml"),
            "code:\n  repositories:\n    web:\n      url: https://github.com/acme/web.git\n"
                + "      token_env: WEB_TOKEN\n"
                + "      github: {api_url: https://api.github.com, owner: acme, repo: web}\n"
                + "    local:\n      url: /srv/git/local.git\n");
    SophiaConfig c = ConfigLoader.create(Map.of()).load(Optional.of(good));
    assertThat(c.code().repositories()).containsOnlyKeys("web", "local");
    assertThat(c.code().repositories().get("web").github().owner()).isEqualTo("acme");
    assertThat(c.code().repositories().get("local").github()).isNull();
    assertThat(c.code().protectedPaths()).containsExactly(".github/workflows/**");

    Path bad =
        java.nio.file.Files.writeString(
            dir.resolve("code-bad.yaml"),
            "code:\n  max_files: 0\n  repositories:\n    web:\n"
                + "      url: https://me:ghp_secret@github.com/acme/web.git\n"
                + "      token_env: 'not a name'\n      github: {api_url: ftp://x, owner: acme}\n");
    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(bad)))
        .hasMessageContaining("code.max_files is 0")
        .hasMessageContaining("code.repositories.web.url must not carry a password or token")
        .hasMessageContaining("code.repositories.web.token_env")
        .hasMessageContaining("code.repositories.web.github.api_url")
        .hasMessageContaining("code.repositories.web.github.repo must be set")
        .hasMessageNotContaining("ghp_secret");

    Path ssh =
        java.nio.file.Files.writeString(
            dir.resolve("code-ssh.yaml"),
            "code:\n  repositories:\n    a:\n      url: git@github.com:acme/a.git\n"
                + "      ssh_key_file: /nonexistent/id_ed25519\n"
                + "    b:\n      url: https://github.com/acme/b.git\n"
                + "      known_hosts_file: /etc/hosts\n");
    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(ssh)))
        .hasMessageContaining(
            "code.repositories.a.ssh_key_file is /nonexistent/id_ed25519, which is not a readable")
        .hasMessageContaining("code.repositories.a.known_hosts_file must be set")
        .hasMessageContaining(
            "code.repositories.b: ssh_key_file and known_hosts_file are for ssh:// or"
                + " user@host:path urls");
  }

  @Test
  void load_missingFile_saysSo() {
    assertThatThrownBy(
            () -> ConfigLoader.create(Map.of()).load(Optional.of(dir.resolve("nope.yaml"))))
        .hasMessageContaining("nope.yaml")
        .hasMessageContaining("does not exist");
  }

  @Test
  void cidr_contains_matchesPrefix() throws Exception {
    Cidr c = Cidr.parse("10.1.0.0/16");
    assertThat(c.contains(java.net.InetAddress.getByName("10.1.200.3"))).isTrue();
    assertThat(c.contains(java.net.InetAddress.getByName("10.2.0.1"))).isFalse();
    assertThat(Cidr.parse("fc00::/7").contains(java.net.InetAddress.getByName("fd12::1"))).isTrue();
    assertThatThrownBy(() -> Cidr.parse("example.com/8"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void secrets_fileVariant_isRead() throws Exception {
    Path secret = dir.resolve("key.txt");
    Files.writeString(secret, "s3cret\n");
    Secrets s = Secrets.create(Map.of("BRAVE_API_KEY_FILE", secret.toString(), "EMPTY", " "));
    assertThat(s.get("BRAVE_API_KEY")).contains("s3cret");
    assertThat(s.get("EMPTY")).isEmpty();
  }

  @Test
  void load_deployTargets_readEachTypesFields() throws Exception {
    Path file =
        yaml(
            "deploy:\n  targets:\n    edge:\n      type: fly\n      app: demo\n"
                + "      image: registry.fly.io/demo:v1\n      strategy: canary\n"
                + "    web:\n      type: local\n      command: [python3, app.py, \"{port}\"]\n"
                + "      ports: [8081, 8082]\n      health_path: /health\n"
                + "    k8s:\n      type: command\n      command: [kubectl, apply, -f, k8s/]\n"
                + "      health_url: https://app.example/health\n");
    SophiaConfig c = ConfigLoader.create(Map.of()).load(Optional.of(file));

    assertThat(c.deploy().targets()).containsOnlyKeys("edge", "web", "k8s");
    assertThat(c.deploy().targets().get("edge").strategy()).isEqualTo("canary");
    assertThat(c.deploy().targets().get("web").ports()).containsExactly(8081, 8082);
    assertThat(c.deploy().targets().get("k8s").command()).startsWith("kubectl");
  }

  @Test
  void load_badDeployTargets_reportsEachByKey() throws Exception {
    Path file =
        yaml(
            "deploy:\n  targets:\n    edge:\n      type: fly\n      strategy: sideways\n"
                + "      token_env: \"fo1_secret value\"\n"
                + "    web:\n      type: local\n      command: [x]\n      ports: [8081, 8081]\n"
                + "    odd:\n      type: ftp\n"
                + "    cmd:\n      type: command\n      command: [x]\n      health_url: nope\n");
    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(file)))
        .hasMessageContaining("deploy.targets.edge.app")
        .hasMessageContaining("deploy.targets.edge.strategy")
        .hasMessageContaining("deploy.targets.edge.token_env must name an environment variable")
        .hasMessageContaining("deploy.targets.web.ports")
        .hasMessageContaining("deploy.targets.odd.type")
        .hasMessageContaining("deploy.targets.cmd.health_url");
  }

  @Test
  void load_storageDefaults_sqliteWithNothingToSetUp() {
    SophiaConfig c = ConfigLoader.create(Map.of()).load(Optional.of(writeEmpty()));

    assertThat(c.storage().backend()).isEqualTo("sqlite");
    assertThat(c.storage().postgresBackend()).isFalse();
    assertThat(c.storage().postgres().poolSize()).isEqualTo(10);
  }

  @Test
  void load_postgresFromEnvironment_readsUrlUserAndPool() throws Exception {
    SophiaConfig c =
        ConfigLoader.create(
                Map.of(
                    "SOPHIA_STORAGE_BACKEND", "postgres",
                    "SOPHIA_STORAGE_POSTGRES_URL", "jdbc:postgresql://db:5432/sophia",
                    "SOPHIA_STORAGE_POSTGRES_USER", "sophia",
                    "SOPHIA_STORAGE_POSTGRES_POOL_SIZE", "4"))
            .load(Optional.of(writeEmpty()));

    assertThat(c.storage().postgresBackend()).isTrue();
    assertThat(c.storage().postgres().url()).isEqualTo("jdbc:postgresql://db:5432/sophia");
    assertThat(c.storage().postgres().user()).isEqualTo("sophia");
    assertThat(c.storage().postgres().poolSize()).isEqualTo(4);
  }

  @Test
  void load_badStorage_reportsEachProblemByKeyWithoutThePassword() throws Exception {
    Path unknown = yaml("storage:\n  backend: mysql\n");
    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(unknown)))
        .hasMessageContaining("storage.backend 'mysql' is not one of sqlite, postgres");
    Path bad =
        yaml(
            "storage:\n  backend: postgres\n  postgres:\n"
                + "    url: jdbc:postgresql://db/sophia?password=hunter2\n    pool_size: 1\n"
                + "    password_file: /nonexistent/pw\n");
    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(bad)))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(p -> assertThat(p).contains("storage.postgres.pool_size"))
                    .anySatisfy(p -> assertThat(p).contains("must not carry the password"))
                    .anySatisfy(p -> assertThat(p).contains("storage.postgres.user must be set"))
                    .anySatisfy(p -> assertThat(p).contains("password_file /nonexistent/pw"))
                    .noneSatisfy(p -> assertThat(p).contains("hunter2")));
    Path noUrl = yaml("storage:\n  backend: postgres\n  postgres:\n    user: sophia\n");
    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(noUrl)))
        .hasMessageContaining("storage.postgres.url must be a JDBC URL");
  }

  @Test
  void load_indexDefaults_embeddedLucene() {
    SophiaConfig c = ConfigLoader.create(Map.of()).load(Optional.of(writeEmpty()));

    assertThat(c.index().elasticsearchBackend()).isFalse();
    assertThat(c.index().elasticsearch().indexPrefix()).isEqualTo("sophia-");
    assertThat(c.index().elasticsearch().urls()).containsExactly("http://127.0.0.1:9200");
  }

  @Test
  void load_elasticsearchFromEnvironment_readsUrlsUserAndPrefix() {
    SophiaConfig c =
        ConfigLoader.create(
                Map.of(
                    "SOPHIA_INDEX_BACKEND", "elasticsearch",
                    "SOPHIA_INDEX_ELASTICSEARCH_URLS", "http://es1:9200,https://es2:9200",
                    "SOPHIA_INDEX_ELASTICSEARCH_USERNAME", "sophia",
                    "SOPHIA_INDEX_ELASTICSEARCH_INDEX_PREFIX", "prod-"))
            .load(Optional.of(writeEmpty()));

    assertThat(c.index().elasticsearchBackend()).isTrue();
    assertThat(c.index().elasticsearch().urls())
        .containsExactly("http://es1:9200", "https://es2:9200");
    assertThat(c.index().elasticsearch().username()).isEqualTo("sophia");
    assertThat(c.index().elasticsearch().indexPrefix()).isEqualTo("prod-");
  }

  @Test
  void load_badIndex_reportsEachProblemByKeyWithoutTheCredentials() throws Exception {
    Path unknown = yaml("index:\n  backend: solr\n");
    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(unknown)))
        .hasMessageContaining("index.backend 'solr' is not one of lucene, elasticsearch");
    Path ranking = yaml("index:\n  ranking: bm25\n");
    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(ranking)))
        .hasMessageContaining("index.ranking 'bm25' is not one of blend, learned");
    assertThat(
            ConfigLoader.create(Map.of("SOPHIA_INDEX_RANKING", "learned"))
                .load(Optional.of(writeEmpty()))
                .index()
                .ranking())
        .isEqualTo("learned");
    Path bad =
        yaml(
            "index:\n  backend: elasticsearch\n  elasticsearch:\n"
                + "    urls: [ftp://es:9200, 'http://sophia:hunter2@es:9200']\n"
                + "    index_prefix: Sophia*\n    timeout_ms: 5\n");
    assertThatThrownBy(() -> ConfigLoader.create(Map.of()).load(Optional.of(bad)))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(p -> assertThat(p).contains("must be an http or https URL"))
                    .anySatisfy(p -> assertThat(p).contains("must not carry credentials"))
                    .anySatisfy(p -> assertThat(p).contains("index.elasticsearch.index_prefix"))
                    .anySatisfy(p -> assertThat(p).contains("index.elasticsearch.timeout_ms"))
                    .noneSatisfy(p -> assertThat(p).contains("hunter2")));
  }
}
