package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Scraping each server's own session metrics ({@code pools.<pool>.instance-metrics}; off when the
 * key is absent).
 *
 * @param path the request path of the Prometheus text on every server ({@code path}, default {@code
 *     /tether/metrics})
 * @param interval between scrapes of one server ({@code interval}, default 5s)
 * @param timeout for one scrape, at most the interval ({@code timeout}, default 2s)
 */
public record InstanceMetricsConfig(String path, Duration interval, Duration timeout) {

  public InstanceMetricsConfig {
    requireNonNull(path, "path");
    requireNonNull(interval, "interval");
    requireNonNull(timeout, "timeout");
  }
}
