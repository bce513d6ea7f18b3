package ai.sophia.cli;

import ai.sophia.web.LoopbackServer;
import ai.sophia.web.LoopbackServer.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The paid model for a Sophia child process: an OpenAI-compatible server on loopback (the real wire
 * format, streamed or not) that answers by what it is asked, not in a fixed order, so that parallel
 * agents and a restarted server get the right answers: the coordinator's planning call gets a
 * two-agent plan, research and analysis agents answer slowly with a citation, the commit agent
 * calls the commit tool (each time with other words, as a real model would after a crash) and, once
 * it has the tool's result, reports slowly.
 */
final class SwarmModel implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  final LoopbackServer server = LoopbackServer.start();
  final AtomicInteger commitCalls = new AtomicInteger();
  volatile Duration planDelay = Duration.ZERO;
  volatile Duration agentDelay = Duration.ofSeconds(4);
  volatile Duration afterCommitDelay = Duration.ofSeconds(6);

  SwarmModel() {
    server.route("/models", Reply.json("{\"object\":\"list\",\"data\":[{\"id\":\"test-model\"}]}"));
    server.route("/chat/completions", this::answer);
  }

  String baseUrl() {
    return server.url("");
  }

  private Reply answer(LoopbackServer.Recorded request) throws Exception {
    JsonNode body = JSON.readTree(request.body());
    boolean stream = body.path("stream").asBoolean(false);
    String tools = body.path("tools").findValuesAsText("name").toString();
    boolean toolDone = false;
    for (JsonNode m : body.path("messages")) {
      toolDone |= m.path("role").asText().equals("tool");
    }
    String system = body.path("messages").path(0).path("content").asText("");
    if (system.contains("You plan work for a swarm")) {
      Thread.sleep(planDelay);
      return reply(
          stream,
          "{\"subtasks\":[{\"task\":\"Find what Heliograph's release notes need\","
              + "\"agent\":\"research\"},{\"task\":\"Summarize the last releases\","
              + "\"agent\":\"analysis\"}]}",
          null);
    }
    if (tools.contains("commit")) {
      if (!toolDone) {
        int n = commitCalls.incrementAndGet();
        ObjectNode args = JSON.createObjectNode().put("repository", "demo");
        args.put("title", "Release notes, take " + n);
        args.putArray("files")
            .addObject()
            .put("path", "docs/release-notes.md")
            .put("content", "# Release notes\n\nWritten on attempt " + n + ".\n");
        return reply(stream, "", args);
      }
      Thread.sleep(afterCommitDelay);
      return reply(stream, "Committed the release notes.", null);
    }
    Thread.sleep(agentDelay);
    return reply(stream, "Heliograph 2.0 relays metrics over UDP [1].\n\nSources:\n[1] x", null);
  }

  private static Reply reply(boolean stream, String text, ObjectNode commitArgs) {
    ObjectNode message = JSON.createObjectNode().put("role", "assistant");
    ArrayNode calls = null;
    if (commitArgs != null) {
      message.putNull("content");
      calls = message.putArray("tool_calls");
      ObjectNode call = calls.addObject().put("id", "call_1").put("type", "function");
      call.putObject("function").put("name", "commit").put("arguments", commitArgs.toString());
    } else {
      message.put("content", text);
    }
    String finish = commitArgs == null ? "stop" : "tool_calls";
    ObjectNode usage =
        JSON.createObjectNode()
            .put("prompt_tokens", 100)
            .put("completion_tokens", 20)
            .put("total_tokens", 120);
    if (!stream) {
      ObjectNode r = JSON.createObjectNode().put("id", "c1").put("object", "chat.completion");
      r.put("created", 1_700_000_000).put("model", "test-model");
      r.putArray("choices")
          .addObject()
          .put("index", 0)
          .put("finish_reason", finish)
          .set("message", message);
      r.set("usage", usage);
      return Reply.json(r.toString());
    }
    StringBuilder out = new StringBuilder();
    ObjectNode delta = JSON.createObjectNode().put("role", "assistant");
    if (calls != null) {
      ArrayNode streamed = delta.putArray("tool_calls");
      ObjectNode c =
          streamed.addObject().put("index", 0).put("id", "call_1").put("type", "function");
      c.putObject("function").put("name", "commit").put("arguments", commitArgs.toString());
    } else {
      delta.put("content", text);
    }
    out.append(chunk(delta, null, null));
    out.append(chunk(JSON.createObjectNode(), finish, null));
    out.append(chunk(null, null, usage));
    out.append("data: [DONE]\n\n");
    return Reply.of(200, "text/event-stream", out.toString()).chunked();
  }

  private static String chunk(ObjectNode delta, String finish, ObjectNode usage) {
    ObjectNode c = JSON.createObjectNode().put("id", "c1").put("object", "chat.completion.chunk");
    c.put("created", 1_700_000_000).put("model", "test-model");
    ArrayNode choices = c.putArray("choices");
    if (delta != null) {
      ObjectNode choice = choices.addObject().put("index", 0);
      choice.set("delta", delta);
      if (finish == null) {
        choice.putNull("finish_reason");
      } else {
        choice.put("finish_reason", finish);
      }
    }
    if (usage != null) {
      c.set("usage", usage);
    }
    return "data: " + c + "\n\n";
  }

  @Override
  public void close() {
    server.close();
  }
}
