package dev.tether.proxy.trace;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.TracingConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The balancer's OpenTelemetry SDK, built from the {@code tracing} section: a parent-based ratio
 * sampler, and a batch processor exporting OTLP/HTTP protobuf (JDK HttpClient sender) on its own
 * thread when an endpoint is configured. Without an endpoint spans are sampled and propagated but
 * exported nowhere, and no exporter thread starts. Off, it is nothing at all: {@link #tracer()} is
 * {@code null}.
 *
 * <pre>{@code
 * ProxyTracing tracing = ProxyTracing.start(config.tracing());
 * TetherProxy proxy = TetherProxy.start(settings, router, tracing.tracer());
 * ...
 * proxy.stop(grace);
 * tracing.close();   // flushes what is queued
 * }</pre>
 */
public final class ProxyTracing implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProxyTracing.class);
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final String SCOPE = "dev.tether.proxy";

  private final SdkTracerProvider provider;
  private final ExchangeTracer tracer;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ProxyTracing(SdkTracerProvider provider) {
    this.provider = provider;
    this.tracer = provider == null ? null : new ExchangeTracer(provider.get(SCOPE));
  }

  /** The SDK for {@code config}; nothing when tracing is off. */
  public static ProxyTracing start(TracingConfig config) {
    requireNonNull(config, "config");
    if (!config.enabled()) {
      return new ProxyTracing(null);
    }
    SdkTracerProviderBuilder b =
        SdkTracerProvider.builder()
            .setSampler(sampler(config.sampling()))
            .setResource(
                Resource.getDefault()
                    .merge(Resource.create(Attributes.of(SERVICE_NAME, config.serviceName()))));
    if (config.otlpEndpoint() != null) {
      OtlpHttpSpanExporter exporter =
          OtlpHttpSpanExporter.builder()
              .setEndpoint(config.otlpEndpoint().toString())
              .setTimeout(Duration.ofSeconds(10))
              .build();
      b.addSpanProcessor(
          BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofSeconds(1)).build());
      log.info(
          "tracing on: sampling {}, exporting OTLP/HTTP to {}",
          config.sampling(),
          config.otlpEndpoint());
    } else {
      // With no processor at all the SDK makes no spans of its own and would forward the
      // client's parent id; a processor that keeps nothing makes it record (and propagate) ours.
      b.addSpanProcessor(new DiscardingSpanProcessor());
      log.info(
          "tracing on: sampling {}, no otlp-endpoint so spans are propagated but not exported",
          config.sampling());
    }
    return new ProxyTracing(b.build());
  }

  /**
   * Parent-based: a sampled incoming parent is sampled, an unsampled one is not, and a request with
   * none is sampled with probability {@code ratio} (decided from its trace id, so every balancer
   * instance decides alike for the same trace).
   */
  public static Sampler sampler(double ratio) {
    return Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
  }

  /**
   * The exchange tracer, or {@code null} when tracing is off (the request path then does nothing).
   */
  public ExchangeTracer tracer() {
    return tracer;
  }

  /** Exports what is queued (waiting up to 10 s) and stops the exporter thread; once. */
  @Override
  public void close() {
    if (provider == null || !closed.compareAndSet(false, true)) {
      return;
    }
    CompletableResultCode done = provider.shutdown().join(10, TimeUnit.SECONDS);
    if (!done.isSuccess()) {
      log.warn("tracing: not every queued span could be exported at shutdown");
    }
  }

  /** Keeps no span: tracing without export (ids are made and propagated, nothing is sent). */
  private static final class DiscardingSpanProcessor implements SpanProcessor {
    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {}

    @Override
    public boolean isEndRequired() {
      return false;
    }
  }
}
