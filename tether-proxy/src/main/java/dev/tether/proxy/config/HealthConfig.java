package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Active HTTP health checks ({@code pools.<pool>.health}).
 *
 * @param path the request path, starting with {@code /} (required)
 * @param interval between probes of one server ({@code interval}, default 2s)
 * @param timeout for one probe, at most the interval ({@code timeout}, default 1s)
 * @param rise consecutive passes that mark a server up ({@code rise}, default 2, 1..100)
 * @param fall consecutive failures that mark a server down ({@code fall}, default 3, 1..100)
 */
public record HealthConfig(String path, Duration interval, Duration timeout, int rise, int fall) {

  public HealthConfig {
    requireNonNull(path, "path");
    requireNonNull(interval, "interval");
    requireNonNull(timeout, "timeout");
  }
}
