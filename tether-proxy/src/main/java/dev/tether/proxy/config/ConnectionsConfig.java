package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Backend connection pooling ({@code pools.<pool>.connections}).
 *
 * @param maxIdlePerServer idle keep-alive connections kept per server and per event loop
 *     ({@code max-idle-per-server}, default 64, 0..10000; 0 = no reuse)
 * @param maxPerServer open connections per server in total ({@code max-per-server}, default 0 =
 *     unlimited)
 * @param idleTimeout how long an idle pooled connection is kept ({@code idle-timeout}, default 60s)
 */
public record ConnectionsConfig(int maxIdlePerServer, int maxPerServer, Duration idleTimeout) {

  /** Every default. */
  public static final ConnectionsConfig DEFAULTS = new ConnectionsConfig(64, 0, Duration.ofSeconds(60));

  public ConnectionsConfig {
    requireNonNull(idleTimeout, "idleTimeout");
  }
}
