package dev.tether.proxy;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.AccessLog;
import dev.tether.proxy.config.Limits;
import dev.tether.proxy.config.Timeouts;
import dev.tether.proxy.config.Transport;

/**
 * The data plane's process-wide settings (what cannot change without a restart), built from the
 * configuration file.
 *
 * @param listen where clients connect
 * @param timeouts the connection and exchange timeouts
 * @param limits request head size limits
 * @param trustedProxies peers whose forwarding headers are believed
 * @param accessLog whether and how each request is logged
 * @param proxyProtocol whether every client connection starts with a PROXY protocol v1/v2 header
 */
public record ProxySettings(
    Listen listen,
    Timeouts timeouts,
    Limits limits,
    TrustedProxies trustedProxies,
    AccessLog accessLog,
    boolean proxyProtocol) {

  /** Settings for a listener without the PROXY protocol. */
  public ProxySettings(
      Listen listen,
      Timeouts timeouts,
      Limits limits,
      TrustedProxies trustedProxies,
      AccessLog accessLog) {
    this(listen, timeouts, limits, trustedProxies, accessLog, false);
  }

  public ProxySettings {
    requireNonNull(listen, "listen");
    requireNonNull(timeouts, "timeouts");
    requireNonNull(limits, "limits");
    requireNonNull(trustedProxies, "trustedProxies");
    requireNonNull(accessLog, "accessLog");
  }

  /** Where and how to accept connections: address, event-loop count and transport. */
  public record Listen(String host, int port, int workers, Transport transport) {
    public Listen {
      requireNonNull(host, "host");
      requireNonNull(transport, "transport");
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be at least 1, was " + workers);
      }
    }
  }
}
