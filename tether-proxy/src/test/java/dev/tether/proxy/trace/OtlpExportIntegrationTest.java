package dev.tether.proxy.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real {@link ControlPlane} from YAML with tracing on, exporting OTLP/HTTP to a collector
 * stand-in (the JDK's HttpServer on port 0) that decodes what it receives with opentelemetry-proto.
 */
@ExtendWith(LeakDetection.class)
class OtlpExportIntegrationTest {

  record Post(String path, String contentType, byte[] body) {}

  private final List<Post> posts = new CopyOnWriteArrayList<>();
  private final HttpServer collector = collector();
  private final TestBackend s1 = TestBackend.start("s1");
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ControlPlane tether;

  private HttpServer collector() {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/v1/traces",
          ex -> {
            posts.add(
                new Post(
                    ex.getRequestURI().getPath(),
                    ex.getRequestHeaders().getFirst("Content-Type"),
                    ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(200, -1);
            ex.close();
          });
      server.start();
      return server;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stop() {
    if (tether != null) {
      tether.stop(Duration.ofSeconds(2));
    }
    s1.close();
    collector.stop(0);
    http.close();
  }

  private ControlPlane start(String tracing) throws Exception {
    tether =
        ControlPlane.start(
            ConfigLoader.parse(
                """
        listen: 127.0.0.1:0
        workers: 1
        access-log: { enabled: false }
        pools:
          web:
            affinity: { mode: cookie }
            servers: [ { name: s1, address: 127.0.0.1:%d } ]
        %s"""
                    .formatted(s1.port(), tracing),
                "test.yaml"));
    return tether;
  }

  private HttpResponse<String> get(String path, String traceparent) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.proxy().port() + path));
    if (traceparent != null) {
      b.header("traceparent", traceparent);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Set<Long> exporterThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("BatchSpanProcessor"))
        .map(Thread::threadId)
        .collect(Collectors.toSet());
  }

  @Test
  void sampledExchangesAreExportedAsOtlpProtobufWithPoolServerAndAffinity() throws Exception {
    start(
        "tracing: { enabled: true, sampling: 1, otlp-endpoint: 'http://127.0.0.1:"
            + collector.getAddress().getPort()
            + "/v1/traces', service-name: edge }\n");
    assertThat(get("/shop", null).statusCode()).isEqualTo(200);
    String forwarded = s1.received().getFirst().headers().get("traceparent");
    assertThat(forwarded)
        .matches(
            "00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]"); // sampled; the SDK may add level 2 random bit;
    String traceId = forwarded.substring(3, 35);
    String spanId = forwarded.substring(36, 52);

    await().atMost(Duration.ofSeconds(20)).until(() -> !posts.isEmpty());
    Post post = posts.getFirst();
    assertThat(post.path()).isEqualTo("/v1/traces");
    assertThat(post.contentType()).isEqualTo("application/x-protobuf");
    assertThat(post.body()).isNotEmpty();

    ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(post.body());
    var resource = req.getResourceSpans(0).getResource().getAttributesList();
    assertThat(attrs(resource)).containsEntry("service.name", "edge");
    Span span = req.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(HexFormat.of().formatHex(span.getTraceId().toByteArray())).isEqualTo(traceId);
    assertThat(HexFormat.of().formatHex(span.getSpanId().toByteArray())).isEqualTo(spanId);
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    Map<String, String> a = attrs(span.getAttributesList());
    assertThat(a)
        .containsEntry("tether.pool", "web")
        .containsEntry("tether.server", "s1")
        .containsEntry("tether.affinity", "cookie/new")
        .containsEntry("http.request.method", "GET")
        .containsEntry("url.path", "/shop")
        .containsEntry("http.response.status_code", "200")
        .containsEntry("server.address", "127.0.0.1");
  }

  @Test
  void withoutAnEndpointSpansArePropagatedButNothingIsExportedAndNoExporterThreadStarts()
      throws Exception {
    Set<Long> before = exporterThreads();
    start("tracing: { enabled: true, sampling: 1 }\n");
    get("/", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    String forwarded = s1.received().getFirst().headers().get("traceparent");
    assertThat(forwarded)
        .startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
        .doesNotContain("00f067aa0ba902b7");
    assertThat(exporterThreads()).isSubsetOf(before);
    tether.stop(Duration.ofSeconds(2));
    tether = null;
    assertThat(posts).isEmpty();
  }

  @Test
  void tracingOffLeavesTraceparentAsTheClientSentItEvenMalformed() throws Exception {
    start("");
    get("/", "00-NOT-A-TRACE");
    assertThat(s1.received().getFirst().headers().get("traceparent")).isEqualTo("00-NOT-A-TRACE");
  }

  private static Map<String, String> attrs(List<KeyValue> kvs) {
    return kvs.stream()
        .collect(
            Collectors.toMap(
                KeyValue::getKey,
                kv ->
                    kv.getValue().hasIntValue()
                        ? Long.toString(kv.getValue().getIntValue())
                        : kv.getValue().getStringValue()));
  }
}
