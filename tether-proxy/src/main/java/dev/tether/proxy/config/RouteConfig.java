package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * One route ({@code routes[i]}): requests matching host and path prefix go to a pool.
 *
 * @param host an exact host (lower case) or {@code *.suffix}; {@code null} matches any host
 * @param pathPrefix starts with {@code /} ({@code path-prefix}, default {@code /})
 * @param pool the name of a configured pool
 */
public record RouteConfig(String host, String pathPrefix, String pool) {

  public RouteConfig {
    requireNonNull(pathPrefix, "pathPrefix");
    requireNonNull(pool, "pool");
  }
}
