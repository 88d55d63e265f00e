package dev.tether.proxy.config.yaml;

import dev.tether.proxy.config.Durations;
import dev.tether.proxy.config.OutlierConfig;
import java.time.Duration;

/**
 * Reads {@code pools.<pool>.outlier} and {@code pools.<pool>.panic-threshold}. Shares are written
 * as percentages ({@code 50%}); the panic threshold defaults to {@link
 * OutlierConfig#DEFAULT_PANIC_THRESHOLD} in a pool with outlier detection and to 0 (off) in one
 * without, so that pools that do not opt in keep answering 503 when every server is down.
 */
final class OutlierParser {

  private static final int MAX_THRESHOLD = 1000;

  private OutlierParser() {}

  /** The section's settings; invalid values are reported and replaced by their defaults. */
  static OutlierConfig read(YamlSection s) {
    OutlierConfig d = OutlierConfig.DEFAULTS;
    int connect =
        s.integer("consecutive-connect-failures", d.consecutiveConnectFailures(), 0, MAX_THRESHOLD);
    int fivexx = s.integer("consecutive-5xx", d.consecutive5xx(), 0, MAX_THRESHOLD);
    int timeouts = s.integer("consecutive-timeouts", d.consecutiveTimeouts(), 0, MAX_THRESHOLD);
    Duration base = s.duration("base-ejection", d.baseEjection(), Duration.ofMillis(1));
    Duration max = s.duration("max-ejection", d.maxEjection(), Duration.ofMillis(1));
    if (max.compareTo(base) < 0) {
      s.error(
          "max-ejection",
          Durations.format(max)
              + " is shorter than base-ejection "
              + Durations.format(base)
              + "; use at least the base");
      max = base;
    }
    int share = s.percent("max-ejected-share", d.maxEjectedPercent(), 1);
    s.finish();
    return new OutlierConfig(connect, fivexx, timeouts, base, max, share);
  }

  /**
   * {@code panic-threshold} of a pool section, with the default that depends on {@code outlier}.
   */
  static int panicThreshold(YamlSection pool, OutlierConfig outlier) {
    return pool.percent(
        "panic-threshold", outlier == null ? 0 : OutlierConfig.DEFAULT_PANIC_THRESHOLD, 0);
  }
}
