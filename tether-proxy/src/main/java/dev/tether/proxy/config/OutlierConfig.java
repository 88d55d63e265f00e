package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Passive health checks, outlier detection ({@code pools.<pool>.outlier}): what the data plane sees
 * of real requests ejects a failing server for a while. A threshold of 0 turns that kind off.
 *
 * @param consecutiveConnectFailures connect failures in a row that eject ({@code
 *     consecutive-connect-failures}, default 3, 0..1000)
 * @param consecutive5xx 5xx responses in a row, 501 and 505 excepted, that eject ({@code
 *     consecutive-5xx}, default 5, 0..1000)
 * @param consecutiveTimeouts backend timeouts in a row that eject ({@code consecutive-timeouts},
 *     default 3, 0..1000)
 * @param baseEjection the first ejection's length; each repeated one doubles it ({@code
 *     base-ejection}, default 30s)
 * @param maxEjection the cap on one ejection's length, at least the base ({@code max-ejection},
 *     default 5m)
 * @param maxEjectedPercent the most of the pool's servers ejected at once, in percent, rounded down
 *     but at least one server ({@code max-ejected-share}, default 50%, 1..100%)
 */
public record OutlierConfig(
    int consecutiveConnectFailures,
    int consecutive5xx,
    int consecutiveTimeouts,
    Duration baseEjection,
    Duration maxEjection,
    int maxEjectedPercent) {

  /** The defaults of an {@code outlier: {}} section. */
  public static final OutlierConfig DEFAULTS =
      new OutlierConfig(3, 5, 3, Duration.ofSeconds(30), Duration.ofMinutes(5), 50);

  /** The panic threshold of a pool with outlier detection and no {@code panic-threshold} key. */
  public static final int DEFAULT_PANIC_THRESHOLD = 50;

  public OutlierConfig {
    requireNonNull(baseEjection, "baseEjection");
    requireNonNull(maxEjection, "maxEjection");
    if (maxEjection.compareTo(baseEjection) < 0) {
      throw new IllegalArgumentException(
          "max-ejection " + maxEjection + " is shorter than base-ejection " + baseEjection);
    }
    if (maxEjectedPercent < 1 || maxEjectedPercent > 100) {
      throw new IllegalArgumentException(
          "max-ejected-share " + maxEjectedPercent + "% is outside 1..100%");
    }
  }
}
