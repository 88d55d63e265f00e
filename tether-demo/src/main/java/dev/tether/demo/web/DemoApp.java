package dev.tether.demo.web;

import static java.util.Objects.requireNonNull;

import dev.tether.demo.DemoSettings;
import dev.tether.demo.chat.ChatRoom;
import dev.tether.demo.store.InstanceStore;
import dev.tether.session.SessionManager;
import dev.tether.session.SessionPolicy;
import dev.tether.session.SessionSweeper;
import dev.tether.session.cache.NearCacheStore;
import dev.tether.session.metrics.SessionMetrics;
import dev.tether.session.servlet.SessionCookie;
import dev.tether.session.servlet.TetherSessionFilter;
import dev.tether.session.spi.SessionStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.server.config.JettyWebSocketServletContainerInitializer;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One running demo instance: Jetty 12 (ee10) with the session library wired as any application
 * would wire it — {@link TetherSessionFilter} over a {@link SessionManager} over the instance's
 * store (behind a {@link NearCacheStore} when the store is shared), {@link SessionMetrics} in a
 * Prometheus registry, a {@link SessionSweeper} — and the shop, the API, the chat and the health
 * and metrics endpoints on top.
 *
 * <p>The session cookie is {@link SessionCookie#insecure()} ({@code TSESSION}, no {@code Secure}
 * and no {@code __Host-} prefix): browsers drop {@code Secure} cookies set over plain HTTP, and the
 * demo serves plain HTTP on loopback. Everything else is the library's default.
 */
public final class DemoApp {

  /** Where to run and over what. */
  public record Spec(
      String name, String host, int port, DemoSettings settings, InstanceStore store, Clock clock) {
    public Spec {
      requireNonNull(name, "name");
      requireNonNull(host, "host");
      requireNonNull(settings, "settings");
      requireNonNull(store, "store");
      requireNonNull(clock, "clock");
    }
  }

  private final Spec spec;
  private final SessionManager manager;
  private final SessionSweeper sweeper;
  private final ChatRoom room;
  private final Server server;
  private final ServerConnector connector;

  private DemoApp(Spec spec) throws Exception {
    this.spec = spec;
    SessionStore sessions = spec.store().sessions();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SessionMetrics metrics = new SessionMetrics(registry);
    if (spec.store().shared()) {
      NearCacheStore near = new NearCacheStore(sessions, 10_000);
      metrics.bindNearCache(near);
      sessions = near;
    }
    this.manager =
        SessionManager.builder(sessions)
            .policy(policy(spec.settings()))
            .clock(spec.clock())
            .listener(metrics)
            .build();
    this.room = new ChatRoom(spec.name(), spec.store().chat(), spec.clock());
    InstanceContext ctx = new InstanceContext(spec.name(), manager, room);

    QueuedThreadPool threads = new QueuedThreadPool(32, 2);
    threads.setName("demo-" + spec.name());
    threads.setDaemon(true);
    this.server = new Server(threads);
    server.setStopTimeout(2_000);
    this.connector = new ServerConnector(server, 1, 1);
    connector.setHost(spec.host());
    connector.setPort(spec.port());
    connector.setReuseAddress(true);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    EnumSet<DispatcherType> request = EnumSet.of(DispatcherType.REQUEST);
    context.addFilter(new FilterHolder(new InstanceHeaderFilter(spec.name())), "/*", request);
    context.addFilter(
        new FilterHolder(
            TetherSessionFilter.builder(manager)
                .cookie(SessionCookie.defaults().insecure())
                .build()),
        "/*",
        request);
    context.addServlet(new ServletHolder(new HealthServlet()), "/healthz");
    context.addServlet(new ServletHolder(new MetricsServlet(registry)), "/tether/metrics");
    context.addServlet(new ServletHolder(new ApiServlet(ctx)), "/api/*");
    context.addServlet(new ServletHolder(new ChatServlet(ctx)), "/ws/chat");
    context.addServlet(new ServletHolder(new ShopServlet(ctx)), "/");
    JettyWebSocketServletContainerInitializer.configure(context, null);
    server.setHandler(context);

    this.sweeper = SessionSweeper.start(manager, sweepInterval(spec.settings()));
    try {
      server.start();
    } catch (Exception e) {
      sweeper.close();
      room.close();
      server.stop();
      throw e;
    }
  }

  /**
   * Starts an instance; returns once it accepts connections.
   *
   * @throws Exception when Jetty cannot start (the port is taken)
   */
  public static DemoApp start(Spec spec) throws Exception {
    return new DemoApp(requireNonNull(spec, "spec"));
  }

  static SessionPolicy policy(DemoSettings s) {
    Duration idle = s.idleTimeout();
    Duration absolute = idle.compareTo(Duration.ofHours(8)) > 0 ? idle : Duration.ofHours(8);
    // unknown ids: a load generator on one address presents many stale cookies; alert late
    return new SessionPolicy(
        idle,
        absolute,
        SessionPolicy.Renewal.OFF,
        s.touchInterval(),
        s.expiryWarning(),
        10_000,
        Duration.ofMinutes(1),
        500);
  }

  private static Duration sweepInterval(DemoSettings s) {
    Duration half = s.idleTimeout().dividedBy(2);
    return half.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : half;
  }

  /** The instance's name. */
  public String name() {
    return spec.name();
  }

  /** The port it listens on. */
  public int port() {
    return connector.getLocalPort();
  }

  /** The session manager, for tests and tools. */
  public SessionManager manager() {
    return manager;
  }

  /**
   * Dies as a crashed process would: every connection is cut (no response, no WebSocket close
   * frame), Jetty stops without waiting for requests in flight, and the store is let go of abruptly
   * ({@link InstanceStore#crash}).
   */
  public void crash() {
    try {
      server.setStopTimeout(0);
      for (EndPoint e : connector.getConnectedEndPoints()) {
        e.close();
      }
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("instance " + spec.name() + " did not stop", e);
    } finally {
      sweeper.close();
      room.close();
      spec.store().crash().run();
    }
  }

  /** Stops gracefully: requests in flight may finish (2 s at most), then the store is released. */
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("instance " + spec.name() + " did not stop", e);
    } finally {
      sweeper.close();
      room.close();
      spec.store().release().run();
    }
  }
}
