package dev.tether.proxy.frontend;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.config.Http2Config;
import dev.tether.proxy.h2.Http2Meters;
import dev.tether.proxy.tls.BackendTls;
import dev.tether.proxy.tls.ServerTls;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * What the listener speaks besides cleartext HTTP/1.1: TLS (with HTTP/2 by ALPN), h2c with prior
 * knowledge, and the redirect listener.
 *
 * @param tls the listener's certificates, or {@code null} for cleartext
 * @param http2 the HTTP/2 settings
 * @param meters HTTP/2 counters
 * @param redirectHttp where to answer cleartext requests with a redirect to https, or {@code null}
 * @param backendTls TLS to backends by server address, in force before the first request
 */
public record Edge(
    ServerTls tls,
    Http2Config http2,
    Http2Meters meters,
    InetSocketAddress redirectHttp,
    Map<InetSocketAddress, BackendTls> backendTls,
    Map<InetSocketAddress, dev.tether.proxy.config.ConnectionsConfig.ProxyProtocolVersion>
        sendProxy) {

  /** Cleartext HTTP/1.1 only. */
  public static Edge cleartext(int maxHeaderSize) {
    return new Edge(
        null, Http2Config.defaults(maxHeaderSize), new Http2Meters(), null, Map.of(), Map.of());
  }

  public Edge {
    requireNonNull(http2, "http2");
    requireNonNull(meters, "meters");
    backendTls = Map.copyOf(backendTls);
    sendProxy = Map.copyOf(sendProxy);
  }

  /** Whether connections need more than the plain HTTP/1.1 pipeline. */
  boolean plain() {
    return tls == null && !http2.cleartext();
  }
}
