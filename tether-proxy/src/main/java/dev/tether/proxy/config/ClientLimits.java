package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Limits on client connections and slow clients, keys of the {@code limits} section. A count or a
 * rate of 0 means unlimited (off). "Per client" is per client address as the TCP peer presents it,
 * IPv6 addresses grouped by their /64; peers listed in {@code trusted-proxies} are exempt from the
 * per-client limits, since many clients share them.
 *
 * @param maxConnections open client connections in total ({@code max-connections}, default 0)
 * @param maxConnectionsPerClient open connections per client address ({@code
 *     max-connections-per-client}, default 0)
 * @param maxAcceptRate connections accepted per second in total, bursts of one second's worth
 *     ({@code max-accept-rate}, default 0)
 * @param maxAcceptRatePerClient connections accepted per second per client address ({@code
 *     max-accept-rate-per-client}, default 0)
 * @param minBodyRate bytes per second a request body must arrive at while the balancer waits for it
 *     ({@code min-body-rate}, default 0: only a body that stalls for a whole window is cut)
 * @param minResponseRate bytes per second a client must read a response at while its connection's
 *     write buffer is full ({@code min-response-rate}, default 0: only a client that reads nothing
 *     for a whole window is cut)
 * @param slowClientWindow how long a body or response rate is measured over before it is judged
 *     ({@code slow-client-window}, default 30s; 0 turns both rate checks off)
 */
public record ClientLimits(
    int maxConnections,
    int maxConnectionsPerClient,
    int maxAcceptRate,
    int maxAcceptRatePerClient,
    int minBodyRate,
    int minResponseRate,
    Duration slowClientWindow) {

  /** Every default: no connection limits; a body or a response stalled for 30 s is cut. */
  public static final ClientLimits DEFAULTS =
      new ClientLimits(0, 0, 0, 0, 0, 0, Duration.ofSeconds(30));

  public ClientLimits {
    requireNonNull(slowClientWindow, "slowClientWindow");
    if (maxConnections < 0
        || maxConnectionsPerClient < 0
        || maxAcceptRate < 0
        || maxAcceptRatePerClient < 0
        || minBodyRate < 0
        || minResponseRate < 0
        || slowClientWindow.isNegative()) {
      throw new IllegalArgumentException("client limits must not be negative: " + this);
    }
  }

  /** Whether any connection count or accept rate is limited. */
  public boolean limitsConnections() {
    return maxConnections > 0
        || maxConnectionsPerClient > 0
        || maxAcceptRate > 0
        || maxAcceptRatePerClient > 0;
  }

  /** Whether body and response rates are checked. */
  public boolean checksRates() {
    return !slowClientWindow.isZero();
  }
}
