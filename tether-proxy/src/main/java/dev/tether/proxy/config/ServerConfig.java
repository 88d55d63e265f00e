package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * One server of a pool ({@code pools.<pool>.servers[i]}).
 *
 * @param name unique in the pool (letters, digits, '.', '_', '-')
 * @param address unique in the pool; port 1..65535
 * @param weight relative share of new work, 0..256 (default 1; 0 = none)
 * @param route the id that affinity tokens and app-cookie suffixes carry, unique in the pool
 *     (default = name)
 */
public record ServerConfig(String name, HostPort address, int weight, String route) {

  public ServerConfig {
    requireNonNull(name, "name");
    requireNonNull(address, "address");
    requireNonNull(route, "route");
  }
}
