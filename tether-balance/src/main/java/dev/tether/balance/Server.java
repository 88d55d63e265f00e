package dev.tether.balance;

import static java.util.Objects.requireNonNull;

/**
 * One backend server as configured: a stable name (used in affinity tokens, never its address),
 * where it listens, its weight and its route (the suffix an application appends to its session id,
 * Tomcat {@code jvmRoute} style; defaults to the name).
 *
 * <pre>{@code
 * Server s1 = new Server("s1", "127.0.0.1", 9001, 1, "s1");
 * }</pre>
 */
public record Server(String name, String host, int port, int weight, String route) {

  public Server {
    requireNonNull(name, "name");
    requireNonNull(host, "host");
    requireNonNull(route, "route");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("server name must not be empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 1..65535");
    }
    if (weight < 0) {
      throw new IllegalArgumentException("weight " + weight + " is negative");
    }
  }

  public Server(String name, String host, int port, int weight) {
    this(name, host, port, weight, name);
  }

  /** {@code host:port}, for logs and the admin API. */
  public String address() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
