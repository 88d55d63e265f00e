package dev.tether.proxy.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sampling and propagation decisions, socket-free. Ids come from a fixed generator: the ratio
 * sampler samples a trace whose id's last 16 hex digits, as a long, are below {@code ratio *
 * Long.MAX_VALUE}, so {@code ...0001} is sampled at any ratio above 0 and {@code ...7fff...} only
 * at 1.
 */
class ExchangeTracerTest {

  static final String LOW_TRACE = "0af7651916cd43dd0000000000000001";
  static final String HIGH_TRACE = "0af7651916cd43dd7fffffffffffffff";
  static final String SPAN = "b7ad6b7169203331";
  static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CLIENT_PARENT = "00f067aa0ba902b7";

  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private SdkTracerProvider provider;

  @AfterEach
  void close() {
    if (provider != null) {
      provider.close();
    }
  }

  private ExchangeTracer tracer(double ratio, String traceId) {
    provider =
        SdkTracerProvider.builder()
            .setSampler(ProxyTracing.sampler(ratio))
            .setIdGenerator(
                new IdGenerator() {
                  @Override
                  public String generateSpanId() {
                    return SPAN;
                  }

                  @Override
                  public String generateTraceId() {
                    return traceId;
                  }
                })
            .addSpanProcessor(SimpleSpanProcessor.create(exported))
            .build();
    return new ExchangeTracer(provider.get("test"));
  }

  private static HttpHeaders headers(String traceparent, String tracestate) {
    HttpHeaders h = new DefaultHttpHeaders();
    h.set("Host", "shop.example");
    if (traceparent != null) {
      h.set("traceparent", traceparent);
    }
    if (tracestate != null) {
      h.set("tracestate", tracestate);
    }
    return h;
  }

  @Test
  void aRequestWithoutTraceparentStartsASampledTraceAtTheRatioAndForwardsItsSpan() {
    ExchangeTracer t = tracer(0.01, LOW_TRACE);
    HttpHeaders h = headers(null, null);
    ExchangeSpan span = t.start(h, "GET", "/cart?item=3");
    assertThat(span).isNotNull();
    span.forward(h);
    assertThat(h.get("traceparent")).isEqualTo("00-" + LOW_TRACE + "-" + SPAN + "-01");
    span.end(
        new ExchangeSpan.Outcome(
            200, "web", "s1", new InetSocketAddress("127.0.0.1", 9001), "cookie/hit", null, false));
    SpanData d = exported.getFinishedSpanItems().getFirst();
    assertThat(d.getName()).isEqualTo("HTTP GET");
    assertThat(d.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(d.getParentSpanContext().isValid()).isFalse();
    assertThat(d.getAttributes().get(ExchangeTracer.METHOD)).isEqualTo("GET");
    assertThat(d.getAttributes().get(ExchangeTracer.PATH)).isEqualTo("/cart");
    assertThat(d.getAttributes().get(ExchangeSpan.STATUS)).isEqualTo(200L);
    assertThat(d.getAttributes().get(ExchangeSpan.POOL)).isEqualTo("web");
    assertThat(d.getAttributes().get(ExchangeSpan.SERVER)).isEqualTo("s1");
    assertThat(d.getAttributes().get(ExchangeSpan.SERVER_ADDRESS)).isEqualTo("127.0.0.1");
    assertThat(d.getAttributes().get(ExchangeSpan.SERVER_PORT)).isEqualTo(9001L);
    assertThat(d.getAttributes().get(ExchangeSpan.AFFINITY)).isEqualTo("cookie/hit");
    assertThat(d.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void aRequestWithoutTraceparentOutsideTheRatioIsNotTracedAndGetsNoHeader() {
    ExchangeTracer t = tracer(0.01, HIGH_TRACE);
    HttpHeaders h = headers(null, "vendor=x");
    assertThat(t.start(h, "GET", "/")).isNull();
    assertThat(h.contains("traceparent")).isFalse();
    assertThat(h.get("tracestate")).isEqualTo("vendor=x");
    assertThat(exported.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void aSampledIncomingParentIsHonouredEvenAtRatioZeroAndTheBackendSeesTheProxySpanAsParent() {
    ExchangeTracer t = tracer(0, HIGH_TRACE);
    HttpHeaders h =
        headers("00-" + CLIENT_TRACE + "-" + CLIENT_PARENT + "-01", "congo=t61rcWkgMzE");
    ExchangeSpan span = t.start(h, "POST", "/pay");
    assertThat(span).isNotNull();
    span.forward(h);
    assertThat(h.getAll("traceparent")).containsExactly("00-" + CLIENT_TRACE + "-" + SPAN + "-01");
    assertThat(h.get("tracestate")).isEqualTo("congo=t61rcWkgMzE");
    span.end(new ExchangeSpan.Outcome(201, "web", "s2", null, null, null, false));
    SpanData d = exported.getFinishedSpanItems().getFirst();
    assertThat(d.getTraceId()).isEqualTo(CLIENT_TRACE);
    assertThat(d.getParentSpanId()).isEqualTo(CLIENT_PARENT);
    assertThat(d.getParentSpanContext().isRemote()).isTrue();
  }

  @Test
  void anUnsampledIncomingParentPassesThroughUnchangedEvenAtRatioOne() {
    ExchangeTracer t = tracer(1, LOW_TRACE);
    String incoming = "00-" + CLIENT_TRACE + "-" + CLIENT_PARENT + "-00";
    HttpHeaders h = headers(incoming, "congo=t61rcWkgMzE");
    assertThat(t.start(h, "GET", "/")).isNull();
    assertThat(h.get("traceparent")).isEqualTo(incoming);
    assertThat(h.get("tracestate")).isEqualTo("congo=t61rcWkgMzE");
    assertThat(exported.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void aMalformedTraceparentStartsANewTraceAndItsTracestateIsDropped() {
    ExchangeTracer t = tracer(1, LOW_TRACE);
    HttpHeaders h =
        headers(
            "00-" + CLIENT_TRACE.toUpperCase() + "-" + CLIENT_PARENT + "-01", "congo=t61rcWkgMzE");
    ExchangeSpan span = t.start(h, "GET", "/");
    span.forward(h);
    assertThat(h.get("traceparent")).isEqualTo("00-" + LOW_TRACE + "-" + SPAN + "-01");
    assertThat(h.contains("tracestate")).isFalse();
    span.end(new ExchangeSpan.Outcome(200, "web", "s1", null, null, null, false));
    assertThat(exported.getFinishedSpanItems().getFirst().getParentSpanContext().isValid())
        .isFalse();
  }

  @Test
  void aMalformedTraceparentIsRemovedEvenWhenTheNewTraceIsNotSampled() {
    ExchangeTracer t = tracer(0, LOW_TRACE);
    HttpHeaders h = headers("garbage", "congo=t61rcWkgMzE");
    assertThat(t.start(h, "GET", "/")).isNull();
    assertThat(h.contains("traceparent")).isFalse();
    assertThat(h.contains("tracestate")).isFalse();
  }

  @Test
  void fiveHundredsAndCutShortExchangesAreErrorsButFourHundredsAreNot() {
    ExchangeTracer t = tracer(1, LOW_TRACE);
    t.start(headers(null, null), "GET", "/a")
        .end(new ExchangeSpan.Outcome(502, "web", "s1", null, null, "connect to s1 failed", false));
    t.start(headers(null, null), "GET", "/b")
        .end(new ExchangeSpan.Outcome(404, null, null, null, null, "no route", false));
    t.start(headers(null, null), "GET", "/c")
        .end(
            new ExchangeSpan.Outcome(
                200,
                "web",
                "s1",
                null,
                null,
                "backend closed the connection during the response",
                true));
    var spans = exported.getFinishedSpanItems();
    assertThat(spans.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(spans.get(0).getStatus().getDescription()).isEqualTo("connect to s1 failed");
    assertThat(spans.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(spans.get(1).getAttributes().get(ExchangeSpan.POOL)).isNull();
    assertThat(spans.get(2).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void spansAreNamedByMethod() {
    assertThat(ExchangeTracer.spanName("GET")).isEqualTo("HTTP GET");
    assertThat(ExchangeTracer.spanName("PROPFIND")).isEqualTo("HTTP PROPFIND");
  }
}
