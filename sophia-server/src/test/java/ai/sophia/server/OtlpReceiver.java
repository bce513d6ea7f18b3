package ai.sophia.server;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * An OTLP/HTTP trace receiver on loopback, as a collector is to Sophia: it accepts {@code POST
 * /v1/traces}, decodes the real protobuf ({@code ExportTraceServiceRequest}) and keeps every span
 * with its resource's {@code service.name}, and the headers each export came with.
 */
final class OtlpReceiver implements AutoCloseable {
  /** One received span, ids in lower-case hex as W3C trace context writes them. */
  record Received(
      String service,
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      int kind,
      int statusCode,
      Map<String, Object> attributes) {
    String string(String key) {
      Object value = attributes.get(key);
      return value == null ? "" : value.toString();
    }

    long number(String key) {
      return attributes.get(key) instanceof Number n ? n.longValue() : -1;
    }
  }

  private final HttpServer server;
  private final List<Received> spans = new ArrayList<>();
  private final List<String> authorizations = new ArrayList<>();
  private int malformed;

  private OtlpReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/v1/traces", this::export);
    server.start();
  }

  static OtlpReceiver start() {
    return new OtlpReceiver();
  }

  /** The URL to give {@code tracing.otlp.endpoint}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
  }

  private void export(HttpExchange exchange) throws IOException {
    try (exchange;
        InputStream body = exchange.getRequestBody()) {
      if (!exchange.getRequestMethod().equals("POST")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      ExportTraceServiceRequest request;
      try {
        request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        synchronized (this) {
          malformed++;
        }
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      synchronized (this) {
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        for (ResourceSpans resource : request.getResourceSpansList()) {
          String service = "";
          for (KeyValue kv : resource.getResource().getAttributesList()) {
            if (kv.getKey().equals("service.name")) {
              service = kv.getValue().getStringValue();
            }
          }
          for (ScopeSpans scope : resource.getScopeSpansList()) {
            for (var span : scope.getSpansList()) {
              Map<String, Object> attributes = new LinkedHashMap<>();
              span.getAttributesList()
                  .forEach(kv -> attributes.put(kv.getKey(), value(kv.getValue())));
              spans.add(
                  new Received(
                      service,
                      hex(span.getTraceId()),
                      hex(span.getSpanId()),
                      hex(span.getParentSpanId()),
                      span.getName(),
                      span.getKindValue(),
                      span.getStatus().getCodeValue(),
                      attributes));
            }
          }
        }
        notifyAll();
      }
      byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
      exchange.getResponseBody().write(ok);
    }
  }

  private static Object value(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> v.getIntValue();
      case DOUBLE_VALUE -> v.getDoubleValue();
      case BOOL_VALUE -> v.getBoolValue();
      default -> v.toString();
    };
  }

  private static String hex(ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  /** Every span received so far. */
  synchronized List<Received> spans() {
    return List.copyOf(spans);
  }

  /** The Authorization header of each export. */
  synchronized List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  synchronized int malformed() {
    return malformed;
  }

  /**
   * Waits until a received span matches, then returns every span of its trace; fails after 15 s.
   */
  synchronized Received await(Predicate<Received> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (true) {
      for (Received r : spans) {
        if (wanted.test(r)) {
          return r;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "no such span among " + spans.stream().map(Received::name).toList());
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /** The spans of {@code traceId} received so far. */
  synchronized List<Received> trace(String traceId) {
    return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
