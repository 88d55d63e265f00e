package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole balancer configuration, validated and with defaults applied. Immutable.
 *
 * @param source the file name it was read from
 * @param listen where clients connect ({@code listen}); port 0 picks a free port
 * @param workers event loops ({@code workers}, 1..256, default = available processors)
 * @param transport the Netty transport ({@code transport}, default {@code auto})
 * @param admin the admin API, or {@code null} when there is no {@code admin} section (off)
 * @param trustedProxies peers whose {@code X-Forwarded-For}/{@code Forwarded} headers are believed
 * @param proxyProtocol every client connection starts with a PROXY protocol v1 or v2 header ({@code
 *     proxy-protocol}, default false); its address is believed from trusted proxies only
 * @param timeouts the {@code timeouts} section
 * @param limits the {@code limits} section
 * @param accessLog the {@code access-log} section
 * @param pools backend pools by name, in file order
 * @param routes request routes in file order; never empty
 * @param tracing the {@code tracing} section (off by default)
 * @param warnings things that work but deserve attention (e.g. generated affinity keys)
 * @param alerts the {@code alerts} section; {@link AlertsConfig#NONE} when absent
 * @param text the YAML it was read from, or {@code null} when not known
 * @param tls TLS termination on the listener ({@code tls}), or {@code null} (cleartext)
 * @param redirectHttp an extra cleartext listener that redirects every request to https ({@code
 *     redirect-http}), or {@code null}
 * @param http2 the HTTP/2 front end ({@code http2}); offered through ALPN with {@code tls}, or as
 *     h2c with prior knowledge when {@code http2.cleartext} is set
 */
public record TetherConfig(
    String source,
    HostPort listen,
    int workers,
    Transport transport,
    AdminConfig admin,
    List<Cidr> trustedProxies,
    boolean proxyProtocol,
    Timeouts timeouts,
    Limits limits,
    AccessLog accessLog,
    Map<String, PoolConfig> pools,
    List<RouteConfig> routes,
    TracingConfig tracing,
    List<ConfigProblem> warnings,
    AlertsConfig alerts,
    SourceText text,
    ListenerTlsConfig tls,
    HostPort redirectHttp,
    Http2Config http2) {

  /** A cleartext listener with the default HTTP/2 settings (h2c off). */
  public TetherConfig(
      String source,
      HostPort listen,
      int workers,
      Transport transport,
      AdminConfig admin,
      List<Cidr> trustedProxies,
      boolean proxyProtocol,
      Timeouts timeouts,
      Limits limits,
      AccessLog accessLog,
      Map<String, PoolConfig> pools,
      List<RouteConfig> routes,
      TracingConfig tracing,
      List<ConfigProblem> warnings,
      AlertsConfig alerts,
      SourceText text) {
    this(
        source,
        listen,
        workers,
        transport,
        admin,
        trustedProxies,
        proxyProtocol,
        timeouts,
        limits,
        accessLog,
        pools,
        routes,
        tracing,
        warnings,
        alerts,
        text,
        null,
        null,
        Http2Config.defaults(limits.maxHeaderSize()));
  }

  public TetherConfig {
    requireNonNull(source, "source");
    requireNonNull(listen, "listen");
    requireNonNull(transport, "transport");
    trustedProxies = List.copyOf(trustedProxies);
    requireNonNull(timeouts, "timeouts");
    requireNonNull(limits, "limits");
    requireNonNull(accessLog, "accessLog");
    pools = Collections.unmodifiableMap(new LinkedHashMap<>(pools));
    routes = List.copyOf(routes);
    requireNonNull(tracing, "tracing");
    warnings = List.copyOf(warnings);
    requireNonNull(alerts, "alerts");
    requireNonNull(http2, "http2");
  }

  /** This configuration, read from {@code text}. */
  public TetherConfig withText(SourceText text) {
    return new TetherConfig(
        source,
        listen,
        workers,
        transport,
        admin,
        trustedProxies,
        proxyProtocol,
        timeouts,
        limits,
        accessLog,
        pools,
        routes,
        tracing,
        warnings,
        alerts,
        text,
        tls,
        redirectHttp,
        http2);
  }

  /**
   * This configuration with {@code pools} instead of its own (runtime changes); no warnings of its
   * own.
   */
  public TetherConfig withPools(Map<String, PoolConfig> pools) {
    return new TetherConfig(
        source,
        listen,
        workers,
        transport,
        admin,
        trustedProxies,
        proxyProtocol,
        timeouts,
        limits,
        accessLog,
        pools,
        routes,
        tracing,
        List.of(),
        alerts,
        text,
        tls,
        redirectHttp,
        http2);
  }
}
