package dev.tether.proxy.control;

import dev.tether.balance.Pool;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.ProxySettings;
import dev.tether.proxy.TrustedProxies;
import dev.tether.proxy.analytics.Analytics;
import dev.tether.proxy.config.Cidr;
import dev.tether.proxy.config.ConnectionsConfig;
import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.health.HealthChecker;
import dev.tether.proxy.health.HealthProbe;
import dev.tether.proxy.outlier.OutlierDetector;
import dev.tether.proxy.retry.Retries;
import dev.tether.proxy.route.Route;
import dev.tether.proxy.route.RouteGates;
import dev.tether.proxy.route.Router;
import dev.tether.proxy.route.Upstream;
import dev.tether.proxy.tls.BackendTls;
import dev.tether.proxy.tunnel.TunnelRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * What a configuration becomes for the data plane, made by {@link ControlPlane} at start-up and at
 * each install: the listener's settings, the routing table, TLS and PROXY headers towards backends
 * by server address, and the pools' active health checks. Resolves server addresses here, on the
 * control plane, never on an event loop.
 */
final class PlaneTables {

  private PlaneTables() {}

  /** The listener's settings: address, workers, transport, limits, timeouts, trusted proxies. */
  static ProxySettings settings(TetherConfig c) {
    List<Predicate<InetAddress>> ranges = new ArrayList<>();
    for (Cidr cidr : c.trustedProxies()) {
      ranges.add(cidr::contains);
    }
    return new ProxySettings(
        new ProxySettings.Listen(c.listen().host(), c.listen().port(), c.workers(), c.transport()),
        c.timeouts(),
        c.limits(),
        new TrustedProxies(ranges),
        c.accessLog(),
        c.proxyProtocol());
  }

  /**
   * The PROXY protocol version by server address for the pools with {@code connections.send-proxy}.
   */
  static Map<InetSocketAddress, ConnectionsConfig.ProxyProtocolVersion> sendProxy(TetherConfig c) {
    Map<InetSocketAddress, ConnectionsConfig.ProxyProtocolVersion> out = new HashMap<>();
    for (PoolConfig pc : c.pools().values()) {
      if (pc.connections().sendProxy() != null) {
        PoolBuilder.resolve(pc, false)
            .values()
            .forEach(a -> out.put(a, pc.connections().sendProxy()));
      }
    }
    return out;
  }

  /** TLS contexts by server address for the pools with {@code tls}. */
  static Map<InetSocketAddress, BackendTls> backendTls(TetherConfig c) {
    Map<InetSocketAddress, BackendTls> out = new HashMap<>();
    for (PoolConfig pc : c.pools().values()) {
      if (pc.tls() != null) {
        BackendTls t = BackendTls.of(pc.tls());
        PoolBuilder.resolve(pc, false).values().forEach(a -> out.put(a, t));
      }
    }
    return out;
  }

  /**
   * Starts the active health checks of every pool that has a {@code health} section, on {@code
   * timer}, continuing from what the {@code previous} (closed) checkers of the same pools knew; the
   * agents of pools that no longer check are released.
   */
  static Map<String, HealthChecker> startHealthChecks(
      TetherConfig c,
      Map<String, Pool> pools,
      Map<String, HealthChecker> previous,
      ScheduledExecutorService timer) {
    Map<String, HealthChecker> out = new HashMap<>();
    for (PoolConfig pc : c.pools().values()) {
      if (pc.health() != null) {
        HealthChecker before = previous.get(pc.name());
        out.put(
            pc.name(),
            HealthChecker.start(
                pools.get(pc.name()),
                PoolBuilder.resolve(pc, false),
                pc.health(),
                HealthProbe.of(
                    pc.health(),
                    pc.tls() == null ? null : BackendTls.of(pc.tls()),
                    pc.connections().sendProxy()),
                timer,
                ThreadLocalRandom.current(),
                before));
      }
    }
    previous.forEach(
        (name, before) -> {
          if (!out.containsKey(name)) {
            before.releaseAgent();
          }
        });
    return out;
  }

  /** What a routing table is built from besides the configuration and its pools. */
  record RouterParts(
      Map<String, AffinityPolicy> affinities,
      Map<String, OutlierDetector> outliers,
      Map<String, TunnelRegistry> tunnels,
      Analytics analytics,
      RouteGates routeGates,
      LongSupplier ticker) {}

  /**
   * Builds the routing table.
   *
   * @param previous when not {@code null}, the servers of its pools keep their addresses too (an
   *     interim table while servers change)
   */
  static Router router(
      TetherConfig c, Map<String, Pool> pools, RouterParts parts, TetherConfig previous) {
    Map<String, Upstream> upstreams = new HashMap<>();
    for (PoolConfig pc : c.pools().values()) {
      Map<String, InetSocketAddress> addrs = PoolBuilder.resolve(pc, previous == null);
      PoolConfig before = previous == null ? null : previous.pools().get(pc.name());
      if (before != null) {
        PoolBuilder.resolve(before, false).forEach(addrs::putIfAbsent);
      }
      upstreams.put(
          pc.name(),
          new Upstream(
              pools.get(pc.name()),
              addrs,
              pc.connections(),
              parts.affinities().get(pc.name()),
              pc.affinity().debugHeader(),
              parts.analytics().traffic(pc.name()),
              new Retries(pc.retries(), parts.ticker()),
              parts.outliers().get(pc.name()),
              parts.tunnels().get(pc.name()),
              pc.webSocket()));
    }
    List<Route> routes = parts.routeGates().routes(c.routes());
    return new Router(routes, upstreams);
  }

  /**
   * Whether {@code next} changes a setting that a running balancer cannot take over, which needs a
   * new socket, new event loops or a new listener pipeline: listen, workers, transport, limits,
   * timeouts, access log, trusted proxies, PROXY protocol, admin, tracing, TLS on or off, the
   * redirect listener, HTTP/2.
   */
  static boolean restartApplies(TetherConfig before, TetherConfig next) {
    return !next.listen().equals(before.listen())
        || next.workers() != before.workers()
        || next.transport() != before.transport()
        || !next.limits().equals(before.limits())
        || !next.timeouts().equals(before.timeouts())
        || !next.accessLog().equals(before.accessLog())
        || !next.trustedProxies().equals(before.trustedProxies())
        || next.proxyProtocol() != before.proxyProtocol()
        || !Objects.equals(next.admin(), before.admin())
        || !next.tracing().equals(before.tracing())
        || (next.tls() == null) != (before.tls() == null)
        || !Objects.equals(next.redirectHttp(), before.redirectHttp())
        || !next.http2().equals(before.http2());
  }
}
