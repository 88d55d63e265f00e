package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * The {@code tracing} section: OpenTelemetry spans per exchange, W3C Trace Context propagation.
 *
 * @param enabled whether the balancer traces at all ({@code enabled}, default false); when off the
 *     request path pays one branch and {@code traceparent} passes through untouched
 * @param sampling the share of requests without a sampled incoming {@code traceparent} that start a
 *     sampled trace ({@code sampling}, 0..1, default 0.01); a sampled incoming parent is always
 *     honoured (parent-based)
 * @param otlpEndpoint where spans are sent as OTLP/HTTP protobuf ({@code otlp-endpoint}, e.g.
 *     {@code http://127.0.0.1:4318/v1/traces}), or {@code null}: spans are then made and propagated
 *     but not exported, and no exporter thread runs
 * @param serviceName the {@code service.name} resource attribute ({@code service-name}, default
 *     {@code tether})
 */
public record TracingConfig(
    boolean enabled, double sampling, URI otlpEndpoint, String serviceName) {

  /** Every default: off. */
  public static final TracingConfig DEFAULTS = new TracingConfig(false, 0.01, null, "tether");

  public TracingConfig {
    if (!(sampling >= 0 && sampling <= 1)) {
      throw new IllegalArgumentException("sampling must be in 0..1, was " + sampling);
    }
    requireNonNull(serviceName, "serviceName");
  }
}
