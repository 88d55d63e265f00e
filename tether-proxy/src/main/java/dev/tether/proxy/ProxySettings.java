package dev.tether.proxy;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.transport.TransportKind;
import java.time.Duration;

/**
 * The data plane's process-wide settings (what cannot change without a restart), built from the
 * configuration file.
 *
 * @param listen where clients connect
 * @param timeouts the connection and exchange timeouts
 * @param limits request head size limits
 * @param trustedProxies peers whose forwarding headers are believed
 * @param accessLog whether and how each request is logged
 */
public record ProxySettings(
    Listen listen, Timeouts timeouts, Limits limits, TrustedProxies trustedProxies, AccessLogFormat accessLog) {

  public ProxySettings {
    requireNonNull(listen, "listen");
    requireNonNull(timeouts, "timeouts");
    requireNonNull(limits, "limits");
    requireNonNull(trustedProxies, "trustedProxies");
    requireNonNull(accessLog, "accessLog");
  }

  /** Where and how to accept connections: address, event-loop count and transport. */
  public record Listen(String host, int port, int workers, TransportKind transport) {
    public Listen {
      requireNonNull(host, "host");
      requireNonNull(transport, "transport");
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be at least 1, was " + workers);
      }
    }
  }

  /**
   * Timeouts in the spirit of HAProxy's advice.
   *
   * @param connect establishing a backend connection
   * @param clientRequest from the first byte of a request to its complete head (then 408)
   * @param clientIdle waiting for the next request on a kept-alive client connection
   * @param server silence from the backend while a response is due (then 504)
   * @param tunnel silence in both directions of an upgraded connection
   * @param shutdown how long in-flight requests may run after a stop was requested
   */
  public record Timeouts(
      Duration connect, Duration clientRequest, Duration clientIdle, Duration server, Duration tunnel, Duration shutdown) {
    public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(75), Duration.ofSeconds(60), Duration.ofHours(1), Duration.ofSeconds(30));
  }

  /** Size limits of a request head and of the chunks bodies are streamed in. */
  public record Limits(int maxRequestLine, int maxHeaderSize, int maxHeaders, int maxChunk) {
    public static final Limits DEFAULTS = new Limits(8192, 16384, 100, 8192);
  }

  /** Access log output. */
  public enum AccessLogFormat {
    OFF,
    PLAIN,
    JSON
  }
}
