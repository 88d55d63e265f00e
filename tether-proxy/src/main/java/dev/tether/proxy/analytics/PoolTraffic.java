package dev.tether.proxy.analytics;

import dev.tether.proxy.route.Upstream;
import io.micrometer.core.instrument.Counter;
import java.util.Map;

/**
 * What the data plane records of one pool's exchanges: per server its {@link ServerTraffic}, and
 * the requests answered with a 5xx without any server ({@code tether_pool_unserved_total{pool}},
 * e.g. 503 when no server takes work). Immutable after construction; one instance per pool and
 * configuration, shared by every event loop.
 *
 * <p>Cost per exchange: one {@code HashMap.get} on the server name (its hash is cached in the
 * String), one Micrometer timer record (bucket search over 17 bounds, lock-free adders), and one
 * counter increment for a 5xx. No allocation, no lock.
 */
public final class PoolTraffic {

  private final Map<String, ServerTraffic> servers;
  private final Counter unserved;

  PoolTraffic(Map<String, ServerTraffic> servers, Counter unserved) {
    this.servers = Map.copyOf(servers);
    this.unserved = unserved;
  }

  /**
   * Records one finished exchange of {@code upstream}'s pool; does nothing when the upstream is
   * {@code null} (no route) or has no traffic meters.
   *
   * @param server the server that served it, or {@code null} when none did
   * @param status the status answered to the client
   * @param startNanos {@link System#nanoTime()} at the request's first byte
   */
  public static void record(Upstream upstream, String server, int status, long startNanos) {
    PoolTraffic t = upstream == null ? null : upstream.traffic();
    if (t != null) {
      t.record(server, status, System.nanoTime() - startNanos);
    }
  }

  /**
   * As {@link #record(Upstream, String, int, long)}, at {@code nowNanos} on the caller's ticker
   * (the one {@code startNanos} was read from).
   */
  public static void record(
      Upstream upstream, String server, int status, long startNanos, long nowNanos) {
    PoolTraffic t = upstream == null ? null : upstream.traffic();
    if (t != null) {
      t.record(server, status, nowNanos - startNanos);
    }
  }

  void record(String server, int status, long nanos) {
    ServerTraffic s = server == null ? null : servers.get(server);
    if (s != null) {
      s.record(status, nanos);
    } else if (status >= 500) {
      unserved.increment();
    }
  }

  ServerTraffic server(String name) {
    return servers.get(name);
  }

  double unserved() {
    return unserved.count();
  }
}
