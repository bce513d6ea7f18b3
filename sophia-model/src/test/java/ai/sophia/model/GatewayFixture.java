package ai.sophia.model;

import ai.sophia.memory.SqlOperationsStore;
import ai.sophia.memory.SqliteDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every gateway test needs: a real SQLite database in a temporary directory, its usage and
 * operations stores, a meter registry, captured logs, and scripted servers closed after the test.
 */
abstract class GatewayFixture {
  static final CallContext CONTEXT = new CallContext("key-1", "researcher", "req-1");
  static final ModelRequest HELLO = ModelRequest.of(List.of(new Message.User("Hello?")));

  @TempDir Path dir;
  SqliteDatabase db;
  SqlUsageStore usage;
  SqlOperationsStore operations;
  SimpleMeterRegistry meters;
  LogCapture logs;
  private final List<AutoCloseable> servers = new ArrayList<>();

  @BeforeEach
  void open() {
    db = SqliteDatabase.open(dir);
    usage = new SqlUsageStore(db);
    operations = new SqlOperationsStore(db);
    meters = new SimpleMeterRegistry();
    logs = LogCapture.start();
  }

  @AfterEach
  void close() throws Exception {
    logs.close();
    for (AutoCloseable s : servers) {
      s.close();
    }
    db.close();
  }

  ScriptedOpenAiServer openAi() {
    ScriptedOpenAiServer server = ScriptedOpenAiServer.start();
    servers.add(server);
    return server;
  }

  ScriptedAnthropicServer anthropic() {
    ScriptedAnthropicServer server = ScriptedAnthropicServer.start();
    servers.add(server);
    return server;
  }

  RoutingModelGateway gateway(TestModels t) {
    return RoutingModelGateway.create(t.models(), t.secrets(), usage, operations, meters);
  }
}
