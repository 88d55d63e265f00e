package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Backend connection pooling ({@code pools.<pool>.connections}).
 *
 * @param maxIdlePerServer idle keep-alive connections kept per server and per event loop ({@code
 *     max-idle-per-server}, default 1024, 0..10000; 0 = no reuse). The default is sized for HTTP/2
 *     clients, whose concurrent streams each hold a backend connection: with a small bound,
 *     connections returned by a burst of streams are closed and reopened by the next (measured: 64
 *     cut HTTP/2 throughput in half at 500 concurrent streams); the connections a burst leaves
 *     beyond what later traffic uses are closed after {@code idle-timeout}
 * @param maxPerServer open connections per server in total ({@code max-per-server}, default 0 =
 *     unlimited)
 * @param idleTimeout how long an idle pooled connection is kept ({@code idle-timeout}, default 60s)
 * @param sendProxy the PROXY protocol header each new connection starts with ({@code send-proxy: v1
 *     | v2}), or {@code null} for none (the default); such connections carry one client's address,
 *     so they are kept for that client connection only, never shared
 */
public record ConnectionsConfig(
    int maxIdlePerServer, int maxPerServer, Duration idleTimeout, ProxyProtocolVersion sendProxy) {

  /** The PROXY protocol versions Tether can send: v1 (text) and v2 (binary). */
  public enum ProxyProtocolVersion {
    V1,
    V2
  }

  /** Every default. */
  public static final ConnectionsConfig DEFAULTS =
      new ConnectionsConfig(1024, 0, Duration.ofSeconds(60));

  public ConnectionsConfig {
    requireNonNull(idleTimeout, "idleTimeout");
  }

  /** Connections without a PROXY protocol header. */
  public ConnectionsConfig(int maxIdlePerServer, int maxPerServer, Duration idleTimeout) {
    this(maxIdlePerServer, maxPerServer, idleTimeout, null);
  }
}
