package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.affinity.DrainMode;
import java.time.Duration;

/**
 * How a pool drains a server ({@code pools.<pool>.drain}).
 *
 * @param mode what happens to the draining server's sessions ({@code mode: soft | hard | boundary},
 *     default soft); boundary needs {@code sessions: replicated}
 * @param boundaryIdle for boundary: a session moves at its next request after this much idle time
 *     ({@code boundary-idle}, default 30s)
 * @param tunnelCloseRate open WebSocket tunnels of the pool's draining servers closed per second
 *     ({@code tunnel-close-rate: 10/s}, default 10/s, 1..10000/s)
 * @param deadline how long a drain may take when {@code POST .../drain} names no deadline, or
 *     {@code null} for none ({@code deadline}, default none)
 */
public record DrainConfig(
    DrainMode mode, Duration boundaryIdle, int tunnelCloseRate, Duration deadline) {

  /** Soft, 30s boundary idle (unused), 10 tunnels a second, no deadline. */
  public static final DrainConfig DEFAULTS =
      new DrainConfig(DrainMode.SOFT, Duration.ofSeconds(30), 10, null);

  /** The largest {@code tunnel-close-rate}. */
  public static final int MAX_TUNNEL_CLOSE_RATE = 10_000;

  public DrainConfig {
    requireNonNull(mode, "mode");
    requireNonNull(boundaryIdle, "boundaryIdle");
    if (tunnelCloseRate < 1 || tunnelCloseRate > MAX_TUNNEL_CLOSE_RATE) {
      throw new IllegalArgumentException(
          "tunnel-close-rate " + tunnelCloseRate + "/s is outside 1..10000/s");
    }
    if (deadline != null && !deadline.isPositive()) {
      throw new IllegalArgumentException("drain deadline " + deadline + " must be positive");
    }
  }

  /**
   * Parses a deadline in the configuration's duration syntax ({@code 90s}, {@code 10m}, {@code
   * 1h}), at least one second; for the admin API's {@code ?deadline=}.
   *
   * @throws IllegalArgumentException saying what is wrong and what is allowed
   */
  public static Duration parseDeadline(String text) {
    Duration d = Durations.parse(requireNonNull(text, "text"));
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("'" + text + "' is too short; use at least 1s, e.g. 10m");
    }
    return d;
  }

  /**
   * Parses a duration in the configuration's syntax ({@code 500ms}, {@code 2s}, {@code 10m}).
   *
   * @throws IllegalArgumentException saying what is wrong and what is allowed
   */
  public static Duration parseDuration(String text) {
    return Durations.parse(requireNonNull(text, "text"));
  }

  /** {@code d} in the configuration's duration syntax, e.g. {@code 10m}. */
  public static String format(Duration d) {
    return Durations.format(d);
  }
}
