package dev.tether.proxy;

import static java.util.Objects.requireNonNull;

import dev.tether.proxy.backend.BackendConnector;
import dev.tether.proxy.frontend.DrainSignal;
import dev.tether.proxy.frontend.Edge;
import dev.tether.proxy.frontend.FrontendInitializer;
import dev.tether.proxy.frontend.ProxyRuntime;
import dev.tether.proxy.route.Router;
import dev.tether.proxy.tls.HttpsRedirect;
import dev.tether.proxy.trace.ExchangeTracer;
import dev.tether.proxy.transport.NettyTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running balancer data plane: one listening socket, {@code workers} event loops that both accept
 * and serve (a connection and the backend connections it borrows share one loop), and the routing
 * table, which can be replaced while running.
 *
 * <pre>{@code
 * TetherProxy proxy = TetherProxy.start(settings, router);
 * int port = proxy.port();
 * ...
 * proxy.stop(Duration.ofSeconds(30));   // graceful: in-flight requests finish first
 * }</pre>
 */
public final class TetherProxy implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TetherProxy.class);

  private final ProxySettings settings;
  private final NettyTransport transport;
  private final EventLoopGroup group;
  private final ProxyRuntime runtime;
  private final Channel server;

  /** The listener that redirects cleartext requests to https, or {@code null}. */
  private volatile Channel redirect;

  private TetherProxy(
      ProxySettings settings,
      NettyTransport transport,
      EventLoopGroup group,
      ProxyRuntime runtime,
      Channel server) {
    this.settings = settings;
    this.transport = transport;
    this.group = group;
    this.runtime = runtime;
    this.server = server;
  }

  /**
   * Binds the listening socket and starts serving.
   *
   * @throws IllegalStateException when the address cannot be bound (it says which and why)
   */
  public static TetherProxy start(ProxySettings settings, Router router) {
    return start(settings, router, null);
  }

  /**
   * Binds the listening socket and starts serving, tracing exchanges with {@code tracer} ({@code
   * null}: no tracing).
   *
   * @throws IllegalStateException when the address cannot be bound or the access log file cannot be
   *     opened (it says which and why)
   */
  public static TetherProxy start(ProxySettings settings, Router router, ExchangeTracer tracer) {
    return start(settings, router, tracer, null);
  }

  /**
   * Binds the listening socket, speaking what {@code edge} says besides cleartext HTTP/1.1 (TLS,
   * HTTP/2; {@code null}: nothing), and the redirect listener when {@code edge} has one.
   *
   * @throws IllegalStateException when an address cannot be bound (it says which and why)
   */
  public static TetherProxy start(
      ProxySettings settings, Router router, ExchangeTracer tracer, Edge edge) {
    requireNonNull(settings, "settings");
    requireNonNull(router, "router");
    NettyTransport transport = NettyTransport.resolve(settings.listen().transport());
    if (transport.fallbackReason() != null) {
      log.warn("using the NIO transport: {}", transport.fallbackReason());
    }
    EventLoopGroup group = transport.newGroup(settings.listen().workers(), "tether-loop");
    ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    BackendConnector connector = new BackendConnector(transport, settings);
    ProxyRuntime runtime;
    try {
      runtime = new ProxyRuntime(settings, connector, router, clients, tracer);
    } catch (UncheckedIOException e) { // the access log file cannot be opened; the message names it
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalStateException(e.getMessage(), e);
    }
    if (edge != null) {
      connector.tls(edge.backendTls());
      connector.sendProxy(edge.sendProxy());
    }
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(32 * 1024, 64 * 1024))
            .childHandler(
                edge == null
                    ? new FrontendInitializer(runtime)
                    : new FrontendInitializer(runtime, edge));
    if (runtime.guard().acceptHandler() != null) {
      b.handler(runtime.guard().acceptHandler());
    }
    InetSocketAddress addr =
        new InetSocketAddress(settings.listen().host(), settings.listen().port());
    try {
      Channel ch = b.bind(addr).sync().channel();
      log.info(
          "tether listening on {} ({} transport, {} workers{})",
          ch.localAddress(),
          transport.name(),
          settings.listen().workers(),
          edge != null && edge.tls() != null
              ? ", TLS with the " + edge.tls().engine() + " engine"
              : "");
      TetherProxy proxy = new TetherProxy(settings, transport, group, runtime, ch);
      if (edge != null && edge.redirectHttp() != null) {
        proxy.redirect =
            HttpsRedirect.bind(
                group, transport, edge.redirectHttp(), proxy.port(), settings.limits());
      }
      return proxy;
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      runtime.accessLog().close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("cannot listen on " + addr + ": " + e.getMessage(), e);
    }
  }

  /** The port of the redirect listener, or -1 when there is none. */
  public int redirectPort() {
    Channel r = redirect;
    return r == null ? -1 : ((InetSocketAddress) r.localAddress()).getPort();
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public String transportName() {
    return transport.name();
  }

  public ProxyRuntime runtime() {
    return runtime;
  }

  /** Replaces the routing table (hot reload). */
  public void router(Router router) {
    runtime.router(router);
  }

  /** Client connections open right now. */
  public int openConnections() {
    return runtime.clientCount();
  }

  /**
   * Graceful shutdown: stops accepting, closes idle client connections, lets in-flight exchanges
   * finish (their responses carry {@code Connection: close}) until {@code grace} has passed, then
   * closes whatever is left and stops the event loops. Blocks until done.
   */
  public void stop(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    server.close().syncUninterruptibly();
    Channel r = redirect;
    if (r != null) {
      r.close().syncUninterruptibly();
    }
    runtime.startDraining();
    runtime.signalClients(DrainSignal.INSTANCE);
    while (runtime.clientCount() > 0 && System.nanoTime() < deadline) {
      runtime.awaitClientsClosed(
          Math.min(50, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1));
    }
    int left = runtime.clientCount();
    if (left > 0) {
      log.warn(
          "shutdown deadline of {} passed with {} connections still busy; closing them",
          grace,
          left);
      runtime.closeClients();
    }
    for (EventExecutor e : group) {
      ((EventLoop) e).execute(runtime.connector()::closeIdle);
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    runtime.accessLog().close(); // the loops are done: their last buffered lines are written now
    log.info("tether stopped");
  }

  @Override
  public void close() {
    stop(settings.timeouts().shutdown());
  }
}
