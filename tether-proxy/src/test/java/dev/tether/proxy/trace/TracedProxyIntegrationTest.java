package dev.tether.proxy.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.proxy.ProxySettings;
import dev.tether.proxy.TetherProxy;
import dev.tether.proxy.TrustedProxies;
import dev.tether.proxy.config.AccessLog;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.config.Limits;
import dev.tether.proxy.config.Timeouts;
import dev.tether.proxy.config.Transport;
import dev.tether.proxy.route.Route;
import dev.tether.proxy.route.Router;
import dev.tether.proxy.route.Upstream;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real proxy on port 0, tracing into the SDK's in-memory exporter, in front of a real backend
 * that records the {@code traceparent} it received.
 */
@ExtendWith(LeakDetection.class)
class TracedProxyIntegrationTest {

  static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CLIENT_PARENT = "00f067aa0ba902b7";

  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder()
          .setSampler(ProxyTracing.sampler(1.0))
          .addSpanProcessor(SimpleSpanProcessor.create(exported))
          .build();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final TestBackend s1 = TestBackend.start("s1");
  private final int deadPort = deadPort();
  private final TetherProxy proxy = start();

  private TetherProxy start() {
    Router router =
        new Router(
            List.of(new Route(null, "/dead", "dead"), new Route(null, "/", "web")),
            Map.of(
                "web", upstream("web", "s1", s1.port()),
                "dead", upstream("dead", "gone", deadPort)));
    ProxySettings settings =
        new ProxySettings(
            new ProxySettings.Listen("127.0.0.1", 0, 1, Transport.AUTO),
            Timeouts.DEFAULTS,
            Limits.DEFAULTS,
            TrustedProxies.NONE,
            AccessLog.DEFAULTS);
    return TetherProxy.start(settings, router, new ExchangeTracer(provider.get("test")));
  }

  private static Upstream upstream(String pool, String server, int port) {
    Pool p =
        new Pool(
            pool,
            List.of(new Server(server, "127.0.0.1", port, 1)),
            Balancers.find("round-robin").orElseThrow(),
            Map.of(),
            BalanceEnv.SYSTEM);
    return new Upstream(
        p,
        Map.of(server, new InetSocketAddress("127.0.0.1", port)),
        ConnectionsConfig.DEFAULTS,
        null,
        false);
  }

  private static int deadPort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stop() {
    proxy.stop(Duration.ofSeconds(2));
    s1.close();
    provider.close();
    http.close();
  }

  private HttpResponse<String> get(String path, String traceparent) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path));
    if (traceparent != null) {
      b.header("traceparent", traceparent).header("tracestate", "congo=t61rcWkgMzE");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theBackendSeesTheClientsTraceWithTheProxySpanAsParent() throws Exception {
    assertThat(get("/cart?x=1", "00-" + CLIENT_TRACE + "-" + CLIENT_PARENT + "-01").statusCode())
        .isEqualTo(200);
    SpanData span = exported.getFinishedSpanItems().getFirst();
    assertThat(span.getTraceId()).isEqualTo(CLIENT_TRACE);
    assertThat(span.getParentSpanId()).isEqualTo(CLIENT_PARENT);
    assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(span.getName()).isEqualTo("HTTP GET");
    Map<String, String> received = s1.received().getFirst().headers();
    assertThat(received.get("traceparent"))
        .isEqualTo("00-" + CLIENT_TRACE + "-" + span.getSpanId() + "-01");
    assertThat(received.get("tracestate")).isEqualTo("congo=t61rcWkgMzE");
    var a = span.getAttributes();
    assertThat(a.get(ExchangeTracer.METHOD)).isEqualTo("GET");
    assertThat(a.get(ExchangeTracer.PATH)).isEqualTo("/cart");
    assertThat(a.get(ExchangeSpan.POOL)).isEqualTo("web");
    assertThat(a.get(ExchangeSpan.SERVER)).isEqualTo("s1");
    assertThat(a.get(ExchangeSpan.SERVER_ADDRESS)).isEqualTo("127.0.0.1");
    assertThat(a.get(ExchangeSpan.SERVER_PORT)).isEqualTo((long) s1.port());
    assertThat(a.get(ExchangeSpan.STATUS)).isEqualTo(200L);
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void aRequestWithoutTraceparentStartsATraceThatTheBackendJoins() throws Exception {
    get("/", null);
    SpanData span = exported.getFinishedSpanItems().getFirst();
    assertThat(span.getParentSpanContext().isValid()).isFalse();
    assertThat(s1.received().getFirst().headers().get("traceparent"))
        .isEqualTo(
            "00-"
                + span.getTraceId()
                + "-"
                + span.getSpanId()
                + "-"
                + span.getSpanContext().getTraceFlags().asHex());
  }

  @Test
  void aFailedExchangeIsAnErrorSpanEndedWithTheBadGateway() throws Exception {
    assertThat(get("/dead", null).statusCode()).isEqualTo(502);
    SpanData span = exported.getFinishedSpanItems().getFirst();
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getStatus().getDescription()).contains("connect to gone failed");
    assertThat(span.getAttributes().get(ExchangeSpan.STATUS)).isEqualTo(502L);
    assertThat(span.getAttributes().get(ExchangeSpan.POOL)).isEqualTo("dead");
    assertThat(span.getAttributes().get(ExchangeSpan.SERVER)).isEqualTo("gone");
  }

  @Test
  void everyExchangeOnAKeptAliveConnectionHasItsOwnSpan() throws Exception {
    for (int i = 0; i < 3; i++) {
      get("/", null);
    }
    assertThat(exported.getFinishedSpanItems())
        .hasSize(3)
        .extracting(SpanData::getTraceId)
        .doesNotHaveDuplicates();
    assertThat(s1.received())
        .extracting(r -> r.headers().get("traceparent").substring(3, 35))
        .containsExactlyElementsOf(
            exported.getFinishedSpanItems().stream().map(SpanData::getTraceId).toList());
  }
}
