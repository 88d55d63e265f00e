package dev.tether.proxy.route;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.Pool;
import dev.tether.proxy.config.ConnectionsConfig;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * A pool as the data plane uses it: the balancing pool (servers, states, picker), the resolved
 * address of each server (resolved by the control plane, never on an event loop) and the backend
 * connection limits.
 */
public record Upstream(Pool pool, Map<String, InetSocketAddress> addresses, ConnectionsConfig connections) {

  public Upstream {
    requireNonNull(pool, "pool");
    addresses = Map.copyOf(addresses);
    requireNonNull(connections, "connections");
  }

  public String name() {
    return pool.name();
  }
}
