package ai.sophia.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The baseline of {@code bench/http_load.sh}: bare Jetty 12 from the jars Sophia ships, with the
 * same Jackson, answering every request with a small JSON body serialized per request, each request
 * handled on its own virtual thread (Jetty's own selectors and acceptors on platform threads, as
 * Jetty recommends). Connector settings are Jetty's defaults. With {@code --javalin true} the same
 * body comes from one Javalin route on the same thread pool (Javalin's servlet layer and nothing of
 * Sophia's), which shows what the framework itself costs. Prints {@code port <n>} once it listens
 * and serves until it is killed.
 */
public final class BareJetty {
  private BareJetty() {}

  /** What every request is answered: about the size of Sophia's smallest answers. */
  record Body(String status, String timestamp) {}

  public static void main(String[] args) throws Exception {
    Flags flags = Flags.parse(args, Set.of("port", "javalin"));
    int port = flags.integer("port", 0, 0, 65_535);
    ObjectMapper mapper = new ObjectMapper();
    QueuedThreadPool pool = new QueuedThreadPool();
    pool.setName("bare-jetty");
    pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    if (Boolean.parseBoolean(flags.text("javalin", "false"))) {
      Javalin app =
          Javalin.create(
              cfg -> {
                cfg.concurrency.useVirtualThreads = true;
                cfg.startup.showJavalinBanner = false;
                cfg.jsonMapper(new JavalinJackson(mapper, true));
                cfg.jetty.threadPool = pool;
                cfg.jetty.host = "127.0.0.1";
                cfg.jetty.port = port;
                cfg.routes.get("/", ctx -> ctx.json(new Body("up", Instant.now().toString())));
              });
      app.start();
      System.out.println("port " + app.port());
      System.out.flush();
      return;
    }
    Server server = new Server(pool);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(
        // Handler.Abstract is blocking by default, so Jetty runs it on a virtual thread.
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            byte[] body = mapper.writeValueAsBytes(new Body("up", Instant.now().toString()));
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
          }
        });
    server.start();
    System.out.println("port " + connector.getLocalPort());
    System.out.flush();
    server.join();
  }
}
