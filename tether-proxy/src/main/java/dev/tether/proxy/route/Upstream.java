package dev.tether.proxy.route;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Pool;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.analytics.PoolTraffic;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.config.WebSocketConfig;
import dev.tether.proxy.outlier.OutlierDetector;
import dev.tether.proxy.retry.Retries;
import dev.tether.proxy.tunnel.TunnelRegistry;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * A pool as the data plane uses it: the balancing pool (servers, states, picker), the resolved
 * address of each server (resolved by the control plane, never on an event loop), the backend
 * connection limits, and the pool's affinity policy ({@code null} = none) with whether responses
 * carry the {@value #AFFINITY_HEADER} debug header, the pool's request meters ({@code null} =
 * none), its retry rules and budget, and its passive health checks ({@code null} = none), told of
 * every request's outcome, the registry of its open tunnels ({@code null} = not tracked), and how
 * its WebSocket connections are carried.
 */
public record Upstream(
    Pool pool,
    Map<String, InetSocketAddress> addresses,
    ConnectionsConfig connections,
    AffinityPolicy affinity,
    boolean affinityHeader,
    PoolTraffic traffic,
    Retries retries,
    OutlierDetector outlier,
    TunnelRegistry tunnels,
    WebSocketConfig webSocket) {

  /** The response header naming the affinity decision when {@code affinityHeader} is set. */
  public static final String AFFINITY_HEADER = "X-Tether-Affinity";

  public Upstream {
    requireNonNull(pool, "pool");
    addresses = Map.copyOf(addresses);
    requireNonNull(connections, "connections");
    requireNonNull(retries, "retries");
    requireNonNull(webSocket, "webSocket");
  }

  /** An upstream whose WebSocket connections are tunnels. */
  public Upstream(
      Pool pool,
      Map<String, InetSocketAddress> addresses,
      ConnectionsConfig connections,
      AffinityPolicy affinity,
      boolean affinityHeader,
      PoolTraffic traffic,
      Retries retries,
      OutlierDetector outlier,
      TunnelRegistry tunnels) {
    this(
        pool,
        addresses,
        connections,
        affinity,
        affinityHeader,
        traffic,
        retries,
        outlier,
        tunnels,
        WebSocketConfig.DEFAULTS);
  }

  /** An upstream whose tunnels are not tracked. */
  public Upstream(
      Pool pool,
      Map<String, InetSocketAddress> addresses,
      ConnectionsConfig connections,
      AffinityPolicy affinity,
      boolean affinityHeader,
      PoolTraffic traffic,
      Retries retries,
      OutlierDetector outlier) {
    this(
        pool,
        addresses,
        connections,
        affinity,
        affinityHeader,
        traffic,
        retries,
        outlier,
        null,
        WebSocketConfig.DEFAULTS);
  }

  /** An upstream with the default retry rules and without passive health checks. */
  public Upstream(
      Pool pool,
      Map<String, InetSocketAddress> addresses,
      ConnectionsConfig connections,
      AffinityPolicy affinity,
      boolean affinityHeader,
      PoolTraffic traffic) {
    this(pool, addresses, connections, affinity, affinityHeader, traffic, Retries.defaults(), null);
  }

  /** An upstream without request meters. */
  public Upstream(
      Pool pool,
      Map<String, InetSocketAddress> addresses,
      ConnectionsConfig connections,
      AffinityPolicy affinity,
      boolean affinityHeader) {
    this(pool, addresses, connections, affinity, affinityHeader, null);
  }

  /** An upstream without affinity. */
  public Upstream(
      Pool pool, Map<String, InetSocketAddress> addresses, ConnectionsConfig connections) {
    this(pool, addresses, connections, null, false);
  }

  public String name() {
    return pool.name();
  }
}
