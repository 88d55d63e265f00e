package dev.tether.proxy.route;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Pool;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

/**
 * A pool as the data plane uses it: the balancing pool (servers, states, picker), the resolved
 * address of each server (resolved by the control plane, never on an event loop) and the backend
 * connection limits.
 */
public record Upstream(Pool pool, Map<String, InetSocketAddress> addresses, Connections connections) {

  public Upstream {
    requireNonNull(pool, "pool");
    addresses = Map.copyOf(addresses);
    requireNonNull(connections, "connections");
  }

  public String name() {
    return pool.name();
  }

  /**
   * Backend connection limits, per event loop and per server.
   *
   * @param maxIdlePerServer idle connections kept for reuse
   * @param maxPerServer open connections at most (0 = unlimited)
   * @param idleTimeout how long an idle pooled connection is kept
   */
  public record Connections(int maxIdlePerServer, int maxPerServer, Duration idleTimeout) {
    public static final Connections DEFAULTS = new Connections(64, 0, Duration.ofSeconds(60));
  }
}
