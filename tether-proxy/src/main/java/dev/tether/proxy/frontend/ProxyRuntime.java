package dev.tether.proxy.frontend;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.ProxySettings;
import dev.tether.proxy.backend.BackendConnector;
import dev.tether.proxy.backend.BackendPool;
import dev.tether.proxy.limit.ClientGuard;
import dev.tether.proxy.log.AccessLogger;
import dev.tether.proxy.route.Router;
import dev.tether.proxy.trace.ExchangeTracer;
import dev.tether.proxy.transport.NanoTimeTicker;
import io.netty.channel.group.ChannelGroup;
import io.netty.util.concurrent.Ticker;

/**
 * What every client connection shares: settings, the current routing table (swapped whole on
 * reload), the backend connection pool, the access log, the ticker every exchange reads time from
 * (STYLE habit 7: tests pass a mock ticker, shared with their {@code EmbeddedChannel}s), and the
 * set of open client connections for graceful shutdown.
 */
public final class ProxyRuntime {

  final ProxySettings settings;

  /**
   * The connector, for what opens backend connections besides exchanges (WebSocket resumes); {@code
   * null} in unit tests.
   */
  final BackendConnector connector;

  /** Where exchanges acquire backend connections. */
  final BackendPool pool;

  /** The time exchanges, timers and the pool read. */
  final Ticker ticker;

  final AccessLogger accessLog;
  final ChannelGroup clients;

  /** Starts exchange spans; {@code null} when tracing is off. */
  final ExchangeTracer tracer;

  /** Connection limits and slow-client checks of this listener. */
  final ClientGuard guard;

  private volatile Router router;
  private volatile boolean draining;

  public ProxyRuntime(
      ProxySettings settings, BackendConnector connector, Router router, ChannelGroup clients) {
    this(settings, connector, router, clients, null);
  }

  /** A runtime whose exchanges are traced by {@code tracer} ({@code null}: not traced). */
  public ProxyRuntime(
      ProxySettings settings,
      BackendConnector connector,
      Router router,
      ChannelGroup clients,
      ExchangeTracer tracer) {
    this(
        settings,
        requireNonNull(connector, "connector"),
        connector,
        router,
        clients,
        tracer,
        NanoTimeTicker.INSTANCE);
  }

  /** A runtime on {@code pool} and {@code ticker}, for tests that run exchanges without sockets. */
  ProxyRuntime(
      ProxySettings settings,
      BackendPool pool,
      Router router,
      ChannelGroup clients,
      ExchangeTracer tracer,
      Ticker ticker) {
    this(
        settings,
        pool instanceof BackendConnector c ? c : null,
        pool,
        router,
        clients,
        tracer,
        ticker);
  }

  private ProxyRuntime(
      ProxySettings settings,
      BackendConnector connector,
      BackendPool pool,
      Router router,
      ChannelGroup clients,
      ExchangeTracer tracer,
      Ticker ticker) {
    this.tracer = tracer;
    this.settings = requireNonNull(settings, "settings");
    this.connector = connector;
    this.pool = requireNonNull(pool, "pool");
    this.ticker = requireNonNull(ticker, "ticker");
    this.router = requireNonNull(router, "router");
    this.clients = requireNonNull(clients, "clients");
    this.accessLog = new AccessLogger(settings.accessLog());
    this.guard = new ClientGuard(settings.limits().clients(), settings.trustedProxies());
  }

  /** Connection limits, slow-client checks and their counters. */
  public ClientGuard guard() {
    return guard;
  }

  public Router router() {
    return router;
  }

  /** Publishes a new routing table; exchanges already routed keep the old one. */
  public void router(Router r) {
    this.router = requireNonNull(r, "router");
  }

  public boolean draining() {
    return draining;
  }

  /** From now on every response closes its connection and idle connections close. */
  public void startDraining() {
    this.draining = true;
  }

  /** Client connections open right now. */
  public int clientCount() {
    return clients.size();
  }

  /** Sends {@code event} to every client connection's pipeline, on its own event loop. */
  public void signalClients(Object event) {
    for (var ch : clients) {
      ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(event));
    }
  }

  /** Waits up to {@code millis} for some client connection to close. */
  public void awaitClientsClosed(long millis) {
    var any = clients.stream().findFirst();
    if (any.isPresent()) {
      any.get().closeFuture().awaitUninterruptibly(millis);
    }
  }

  /** Closes every client connection now. */
  public void closeClients() {
    clients.close().awaitUninterruptibly(2000);
  }

  /** The access log; closed by {@code TetherProxy.stop} once the event loops have stopped. */
  public AccessLogger accessLog() {
    return accessLog;
  }

  public BackendConnector connector() {
    return connector;
  }
}
