package dev.tether.proxy.control;

import static java.util.Objects.requireNonNull;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Pool;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.TetherProxy;
import dev.tether.proxy.admin.AdminServer;
import dev.tether.proxy.admin.Readiness;
import dev.tether.proxy.admin.Reloader;
import dev.tether.proxy.alert.AlertEvaluator;
import dev.tether.proxy.analytics.Analytics;
import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.drain.DrainService;
import dev.tether.proxy.frontend.Edge;
import dev.tether.proxy.h2.Http2Meters;
import dev.tether.proxy.health.HealthChecker;
import dev.tether.proxy.log.AccessLogger;
import dev.tether.proxy.outlier.OutlierDetector;
import dev.tether.proxy.outlier.OutlierDetectors;
import dev.tether.proxy.outlier.Scheduler;
import dev.tether.proxy.route.RouteGates;
import dev.tether.proxy.route.Router;
import dev.tether.proxy.runtime.RuntimeChanges;
import dev.tether.proxy.tls.ServerTls;
import dev.tether.proxy.trace.ProxyTracing;
import dev.tether.proxy.tunnel.TunnelRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The balancer process built from a validated {@link TetherConfig}: the control plane (pools,
 * routing, reload) around one {@link TetherProxy} data plane.
 *
 * <p>Reload keeps what can be kept: a pool whose algorithm and options are unchanged keeps its
 * {@link Pool} object, so server states, in-flight counters and slow-start clocks survive, and a
 * server that keeps its name keeps them too. Settings that need a new socket or new event loops
 * (listen address, workers, transport) are reported and applied at the next restart.
 *
 * <p>Reloads and the admin API's server changes both go through {@link RuntimeChanges}, which keeps
 * the runtime changes over the file and calls {@link #install} with the effective configuration.
 * Installing never fails a request: the addresses of servers to come are published before the pools
 * show them, and the old routing table keeps serving the requests it routed.
 */
public final class ControlPlane implements AutoCloseable, AdminServer.Control {

  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  private final BalanceEnv env;
  private final TetherProxy proxy;
  private TetherConfig config;
  private Map<String, Pool> pools;
  private final PoolBuilder poolBuilder;
  private Map<String, AffinityPolicy> affinities;
  private final ScheduledExecutorService healthTimer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("tether-health-timer").daemon().factory());
  private Map<String, HealthChecker> checkers = Map.of();
  private Map<String, OutlierDetector> detectors = Map.of();
  private final DrainService drains =
      new DrainService(Clock.systemUTC(), Scheduler.of(healthTimer));
  private Map<String, TunnelRegistry> tunnels = Map.of();
  private final AdminServer admin;
  private final ProxyTracing tracing;
  private final Analytics analytics;
  private final AlertService alerts;
  private final RuntimeChanges runtime;
  private final AtomicBoolean stopping = new AtomicBoolean();

  /** The listener's certificates, or {@code null} for cleartext. */
  private final ServerTls serverTls;

  private final Http2Meters http2Meters = new Http2Meters();
  private final RouteGates routeGates;

  private ControlPlane(TetherConfig config, BalanceEnv env, Reloader reloader) {
    this.env = env;
    this.config = config;
    this.routeGates = new RouteGates(env.ticker());
    config.warnings().forEach(w -> log.warn("{}", w));
    this.poolBuilder = new PoolBuilder(env, Clock.systemUTC());
    this.pools = poolBuilder.pools(config, Map.of(), new ArrayList<>());
    this.affinities = poolBuilder.affinities(config, null, Map.of());
    this.tracing = ProxyTracing.start(config.tracing());
    this.analytics = Analytics.start(env.ticker());
    this.alerts = new AlertService(analytics, Clock.systemUTC());
    bindAnalytics(config, pools, affinities);
    bindDrains(config, pools, affinities);
    this.detectors = OutlierDetectors.build(config, pools, Map.of(), outlierEnv());
    TetherProxy p;
    ServerTls tls = null;
    try {
      tls = config.tls() == null ? null : ServerTls.start(config.tls(), healthTimer);
      InetSocketAddress redirect =
          config.redirectHttp() == null
              ? null
              : new InetSocketAddress(config.redirectHttp().host(), config.redirectHttp().port());
      Edge edge =
          new Edge(
              tls,
              config.http2(),
              http2Meters,
              redirect,
              PlaneTables.backendTls(config),
              PlaneTables.sendProxy(config));
      p =
          TetherProxy.start(
              PlaneTables.settings(config),
              router(config, pools, affinities, detectors, null),
              tracing.tracer(),
              edge);
    } catch (RuntimeException e) {
      if (tls != null) {
        tls.close();
      }
      drains.close();
      tracing.close();
      alerts.close();
      analytics.close();
      throw e;
    }
    this.proxy = p;
    this.serverTls = tls;
    if (tls != null) {
      tls.bind(analytics.registry());
    }
    http2Meters.bind(analytics.registry());
    FunctionCounter.builder(
            "tether.access.log.dropped", p.runtime().accessLog(), AccessLogger::dropped)
        .description("access-log lines dropped because the destination could not keep up")
        .register(analytics.registry());
    routeGates.bind(analytics.registry());
    p.runtime().guard().counters().bind(analytics.registry());
    this.runtime =
        new RuntimeChanges(
            config,
            new RuntimeChanges.Target() {
              @Override
              public void install(TetherConfig effective) {
                ControlPlane.this.install(effective);
              }

              @Override
              public Pool pool(String name) {
                return ControlPlane.this.pool(name);
              }

              @Override
              public AffinityPolicy affinity(String name) {
                return ControlPlane.this.affinity(name);
              }

              @Override
              public void drain(String pool, String server, Duration deadline) {
                HealthChecker checker =
                    healthChecker(
                        pool); // as the drain endpoint: an operator's drain outranks an agent
                drains.start(
                    pool,
                    server,
                    deadline,
                    checker == null
                        ? null
                        : name ->
                            checker.operatorSet(name, dev.tether.balance.ServerState.DRAINING));
              }

              @Override
              public Boolean drained(String pool, String server) {
                try {
                  return drains.status(pool, server).done();
                } catch (java.util.NoSuchElementException e) {
                  return null;
                }
              }
            },
            Clock.systemUTC(),
            Scheduler.of(healthTimer));
    alerts.apply(config.alerts());
    this.checkers = PlaneTables.startHealthChecks(config, pools, Map.of(), healthTimer);
    OutlierDetectors.link(checkers, detectors);
    AdminServer a = null;
    if (config.admin() != null) {
      try {
        a = AdminServer.start(config.admin(), this, reloader);
      } catch (IllegalStateException e) {
        stop(Duration.ZERO);
        throw e;
      }
    }
    this.admin = a;
  }

  /** Starts serving {@code config}; the admin API, if configured, cannot reload it. */
  public static ControlPlane start(TetherConfig config) {
    return start(config, Reloader.UNAVAILABLE);
  }

  /**
   * Starts serving {@code config}, with the admin API (if configured) reloading through {@code
   * reloader}, which re-reads the file and calls {@link #reload}.
   */
  public static ControlPlane start(TetherConfig config, Reloader reloader) {
    return new ControlPlane(
        requireNonNull(config, "config"), BalanceEnv.SYSTEM, requireNonNull(reloader, "reloader"));
  }

  /** The admin API, or {@code null} when the configuration has no {@code admin} section. */
  public AdminServer admin() {
    return admin;
  }

  public TetherProxy proxy() {
    return proxy;
  }

  /** The pool called {@code name}, or {@code null}. */
  @Override
  public synchronized Pool pool(String name) {
    return pools.get(name);
  }

  /**
   * The affinity policy of pool {@code name} (its outcome counts and live sessions per server, for
   * the admin API and drain), or {@code null} when the pool has none.
   */
  @Override
  public synchronized AffinityPolicy affinity(String name) {
    return affinities.get(name);
  }

  /** The active health checks of pool {@code name}, or {@code null} when it has none. */
  @Override
  public synchronized HealthChecker healthChecker(String name) {
    return checkers.get(name);
  }

  /** The session analytics and the meter registry of {@code /metrics}. */
  @Override
  public Analytics analytics() {
    return analytics;
  }

  /** The alert rules' evaluator. */
  @Override
  public AlertEvaluator alerts() {
    return alerts.evaluator();
  }

  /**
   * Rebuilds the analytics for {@code c}; before the routing table that uses its request meters.
   */
  private void bindAnalytics(TetherConfig c, Map<String, Pool> ps, Map<String, AffinityPolicy> as) {
    Map<String, Map<String, InetSocketAddress>> addresses = new HashMap<>();
    for (PoolConfig pc : c.pools().values()) {
      addresses.put(pc.name(), PoolBuilder.resolve(pc, false));
    }
    analytics.historySeconds(
        c.alerts().rules().stream().mapToLong(r -> r.window().toSeconds()).max().orElse(0));
    analytics.bind(ps, c.pools(), as::get, addresses);
  }

  /** Drains: where each stands, and the tunnels of draining servers. */
  @Override
  public DrainService drains() {
    return drains;
  }

  /**
   * Tunnel registries per pool (kept for a pool that keeps its name) and the drains' view of the
   * pools.
   */
  private void bindDrains(TetherConfig c, Map<String, Pool> ps, Map<String, AffinityPolicy> as) {
    Map<String, TunnelRegistry> nextTunnels = new HashMap<>();
    Map<String, DrainService.PoolView> views = new HashMap<>();
    for (PoolConfig pc : c.pools().values()) {
      TunnelRegistry t = tunnels.getOrDefault(pc.name(), new TunnelRegistry());
      nextTunnels.put(pc.name(), t);
      views.put(
          pc.name(),
          new DrainService.PoolView(ps.get(pc.name()), pc.drain(), as.get(pc.name()), t));
    }
    this.tunnels = nextTunnels;
    drains.bind(views);
  }

  /** The configuration in force: the file as last loaded plus the admin API's runtime changes. */
  @Override
  public synchronized TetherConfig config() {
    return config;
  }

  /** Servers added, removed and re-weighted at run time, and the effective configuration. */
  @Override
  public RuntimeChanges runtimeChanges() {
    return runtime;
  }

  /**
   * Applies a new configuration without dropping connections or failing requests, keeping the
   * runtime changes it does not contradict (see {@link dev.tether.proxy.runtime.RuntimeOverlay}):
   * pools and routes are rebuilt (and kept where unchanged) and published at once; requests already
   * routed finish on the old table.
   *
   * @throws IllegalArgumentException when it cannot be applied; the running configuration stays
   */
  public void reload(TetherConfig next) {
    requireNonNull(next, "next");
    if (stopping.get()) {
      throw new UnsupportedOperationException(
          "the balancer is shutting down; it reloads nothing any more");
    }
    next.warnings().forEach(w -> log.warn("{}", w));
    runtime.reload(next);
    log.info("configuration reloaded from {}: {} pools", next.source(), next.pools().size());
  }

  /**
   * Makes {@code next} (file plus runtime changes) the running configuration; see {@link
   * RuntimeChanges}.
   */
  private synchronized void install(TetherConfig next) {
    if (PlaneTables.restartApplies(config, next)) {
      log.warn(
          "listen, workers, transport, limits, timeouts, access-log, trusted-proxies, proxy-protocol, admin, tracing, "
              + "tls on or off, redirect-http and http2 changes apply at the next restart");
    }
    if (serverTls != null && next.tls() != null) {
      serverTls.apply(
          next.tls()); // new certificates for new connections; a bad one is logged and counted, the
      // old stays
    }
    proxy.runtime().connector().tls(PlaneTables.backendTls(next));
    proxy.runtime().connector().sendProxy(PlaneTables.sendProxy(next));
    List<Runnable> serverChanges = new ArrayList<>();
    Map<String, Pool> nextPools = poolBuilder.pools(next, pools, serverChanges);
    Map<String, AffinityPolicy> nextAffinities = poolBuilder.affinities(next, config, affinities);
    if (!serverChanges.isEmpty()) {
      // A request must never pick a server it has no address for: publish the addresses of the
      // servers to come (and keep those of the servers to go) before the pools change.
      proxy.router(router(next, nextPools, nextAffinities, detectors, config));
      serverChanges.forEach(Runnable::run);
    }
    bindAnalytics(next, nextPools, nextAffinities);
    bindDrains(next, nextPools, nextAffinities);
    Map<String, OutlierDetector> nextDetectors =
        OutlierDetectors.build(next, nextPools, detectors, outlierEnv());
    proxy.router(router(next, nextPools, nextAffinities, nextDetectors, null));
    this.detectors = nextDetectors;
    this.pools = nextPools;
    for (Map.Entry<String, AffinityPolicy> old : affinities.entrySet()) {
      if (nextAffinities.get(old.getKey()) != old.getValue()) {
        old.getValue().close();
      }
    }
    this.affinities = nextAffinities;
    checkers.values().forEach(HealthChecker::close);
    this.checkers = PlaneTables.startHealthChecks(next, nextPools, checkers, healthTimer);
    OutlierDetectors.link(checkers, detectors);
    this.config = next;
    alerts.apply(next.alerts());
    if (admin != null) {
      admin.rebind();
    }
  }

  /** Graceful stop within the configured shutdown timeout. */
  @Override
  public void close() {
    stop(config().timeouts().shutdown());
  }

  /**
   * Graceful stop within {@code grace}. From its first moment {@code GET /ready} answers 503; the
   * admin API stays up while in-flight requests finish, so orchestrators see the shutdown, and
   * closes last. Only the first call stops; later ones return at once.
   */
  public void stop(Duration grace) {
    if (stopping.getAndSet(true)) {
      return;
    }
    if (runtime != null) {
      runtime
          .close(); // first and outside this lock: a pending removal installs under its own lock,
      // then this one
    }
    synchronized (this) {
      checkers.values().forEach(HealthChecker::close);
      if (serverTls != null) {
        serverTls.close();
      }
      drains.close();
      healthTimer.shutdownNow();
      alerts.close();
    }
    if (proxy != null) {
      proxy.stop(grace);
    }
    tracing.close();
    synchronized (this) {
      if (admin != null) {
        admin.close();
      }
      affinities.values().forEach(AffinityPolicy::close);
      routeGates.close();
      analytics.close();
    }
  }

  /**
   * Whether every route's shared rate limit has its Redis connection (true when no route shares
   * one); until then, as while Redis is away, those routes limit per instance.
   */
  public boolean sharedRateLimitsConnected() {
    return routeGates.sharedLimitsConnected();
  }

  /**
   * Counts of requests the routes' shared rate limits sent to Redis whose answers have not been
   * applied yet: while one is out, the instance does not know yet whether that request used up the
   * shared allowance.
   */
  public int sharedRateLimitCountsInFlight() {
    return routeGates.sharedCountsInFlight();
  }

  /** Ready while the data port listens and no stop has begun. */
  @Override
  public Readiness readiness() {
    if (stopping.get()) {
      return Readiness.notReady("shutting down");
    }
    TetherProxy p = proxy;
    if (p == null) {
      return Readiness.notReady("not listening yet");
    }
    return Readiness.listening(config().listen().host() + ":" + p.port());
  }

  /** The listener's certificates, or {@code null} when it speaks cleartext. */
  public ServerTls serverTls() {
    return serverTls;
  }

  /** The HTTP/2 front end's counters. */
  public Http2Meters http2Meters() {
    return http2Meters;
  }

  private OutlierDetector.Env outlierEnv() {
    return new OutlierDetector.Env(
        Clock.systemUTC(), Scheduler.of(healthTimer), analytics.registry());
  }

  /** The passive health checks of pool {@code name}, or {@code null} when it has none. */
  public synchronized OutlierDetector outlierDetector(String name) {
    return detectors.get(name);
  }

  private Router router(
      TetherConfig c,
      Map<String, Pool> pools,
      Map<String, AffinityPolicy> affinities,
      Map<String, OutlierDetector> outliers,
      TetherConfig previous) {
    return PlaneTables.router(
        c,
        pools,
        new PlaneTables.RouterParts(
            affinities, outliers, tunnels, analytics, routeGates, env.ticker()),
        previous);
  }
}
