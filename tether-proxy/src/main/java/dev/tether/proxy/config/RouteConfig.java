package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * One route ({@code routes[i]}): requests matching host and path prefix go to a pool.
 *
 * @param host an exact host (lower case) or {@code *.suffix}; {@code null} matches any host
 * @param pathPrefix starts with {@code /} ({@code path-prefix}, default {@code /})
 * @param pool the name of a configured pool
 * @param access who may use the route ({@code access}), or {@code null} for anyone
 * @param rateLimit the route's rate limit ({@code rate-limit}), or {@code null} for none
 */
public record RouteConfig(
    String host, String pathPrefix, String pool, RouteAccess access, RouteRateLimit rateLimit) {

  public RouteConfig {
    requireNonNull(pathPrefix, "pathPrefix");
    requireNonNull(pool, "pool");
  }

  /** A route with no access rule and no rate limit. */
  public RouteConfig(String host, String pathPrefix, String pool) {
    this(host, pathPrefix, pool, null, null);
  }
}
