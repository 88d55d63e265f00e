package dev.tether.proxy.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tether.balance.Pool;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.alert.AlertEvaluator;
import dev.tether.proxy.analytics.Analytics;
import dev.tether.proxy.config.AdminConfig;
import dev.tether.proxy.config.ConfigException;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.health.HealthChecker;
import dev.tether.proxy.runtime.RuntimeChanges;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API, on its own address and never the data port (DESIGN §6):
 *
 * <pre>
 * GET  /api/pools                                   pools with their algorithm, affinity and counts
 * GET  /api/pools/{pool}/servers                    servers: address, weight, state, health, agent, load
 * POST /api/pools/{pool}/servers/{server}/drain     keep bound sessions, take no new ones (?deadline=10m)
 * GET  /api/pools/{pool}/servers/{server}/drain     whether the drain is done: sessions, in flight, tunnels
 * POST /api/pools/{pool}/servers/{server}/enable    back to UP (DOWN while its health checks fail)
 * POST /api/pools/{pool}/servers/{server}/disable   take nothing
 * POST /api/reload                                  re-read the configuration file (runtime changes it does not contradict
 *                                                   stay); a bad file: 400 {"error", "problems": [{file, line, column, key, message}]}
 * POST /api/pools/{pool}/servers                    add a server {"name", "address", "weight"} (ServerRoutes)
 * DELETE /api/pools/{pool}/servers/{server}         drain, then remove (?deadline=10m); ?now removes at once
 * PUT  /api/pools/{pool}/servers/{server}/weight    set a weight {"weight": n}
 * GET  /api/config                                  the effective configuration as YAML, runtime changes marked (ConfigRoutes)
 * GET  /api/pools/{pool}/sessions                   session analytics: live, birth rate, spread, lifespans
 * GET  /api/alerts                                  alerts firing now
 * GET  /metrics                                     Prometheus text format
 * GET  /api/demo/instances                          demo mode only: the application instances
 * POST /api/demo/instances                          demo mode only: add an instance ({"name": "s4"} optional)
 * POST /api/demo/instances/{name}/kill|start        demo mode only: crash or restart an instance
 * GET  /                                            the dashboard (see DashboardAssets)
 * GET  /live                                        200 while the process runs (no token; see ProbeRoutes)
 * GET  /ready                                       200 while it takes traffic, 503 starting or shutting down (no token)
 * </pre>
 *
 * <p>With {@code admin.token} every request needs {@code Authorization: Bearer <token>} (compared
 * in constant time), except {@code /live} and {@code /ready}, which orchestrators probe without
 * secrets; without one the configuration only allows a loopback address. Answers are JSON; errors
 * are {@code {"error": "..."}} with 400, 401, 403, 404, 405 or 501. A state-changing request that a
 * browser sends from another site is refused with 403 (see {@link CrossSiteGuard}); the dashboard's
 * files load without the token, its API calls need it. The server runs on the JDK's HTTP server
 * with a virtual thread per request, apart from the data plane's event loops, so a slow scrape
 * never delays traffic.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  /** What the admin API reads and acts on; the balancer process implements it. */
  public interface Control {
    /** The configuration in force. */
    TetherConfig config();

    /** The pool called {@code name}, or {@code null}. */
    Pool pool(String name);

    /** The affinity policy of pool {@code name}, or {@code null}. */
    AffinityPolicy affinity(String name);

    /** The health checks of pool {@code name}, or {@code null}. */
    HealthChecker healthChecker(String name);

    /**
     * The session analytics, whose registry {@code /metrics} exports; {@code null}: a registry of
     * its own.
     */
    default Analytics analytics() {
      return null;
    }

    /**
     * The drains, or {@code null}: {@code .../drain} then answers 501 (see {@link DrainRoutes}).
     */
    default dev.tether.proxy.drain.DrainService drains() {
      return null;
    }

    /** The alert evaluator, or {@code null} when there is none. */
    default AlertEvaluator alerts() {
      return null;
    }

    /**
     * Runtime server changes and the effective configuration, or {@code null} when not supported.
     */
    default RuntimeChanges runtimeChanges() {
      return null;
    }

    /** Whether the balancer takes traffic, for {@code GET /ready}; ready unless overridden. */
    default Readiness readiness() {
      return Readiness.listening("an unknown address");
    }
  }

  private final HttpServer http;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Control control;
  private final Reloader reloader;
  private final AdminMeters meters;
  private final ObjectMapper json = new ObjectMapper();
  private volatile InstanceControl instances;
  private final DashboardAssets dashboard = DashboardAssets.load(json);
  private final CrossSiteGuard crossSite;
  private final AdminGate gate;

  private AdminServer(AdminConfig config, Control control, Reloader reloader) throws IOException {
    this.control = control;
    this.reloader = reloader;
    this.meters =
        new AdminMeters(control.analytics() == null ? null : control.analytics().registry());
    byte[] token = config.token() == null ? null : config.token().getBytes(StandardCharsets.UTF_8);
    this.http =
        HttpServer.create(
            new InetSocketAddress(config.listen().host(), config.listen().port()), 64);
    this.crossSite = new CrossSiteGuard(config.listen().host(), port());
    try {
      this.gate = new AdminGate(token, config.auditLog(), json);
    } catch (java.io.UncheckedIOException e) {
      http.stop(0);
      throw new IOException(e.getMessage(), e);
    }
    http.setExecutor(executor);
    http.createContext("/", this::handle);
    rebind();
    http.start();
  }

  /**
   * Serves the admin API of {@code control} at {@code config.listen()}.
   *
   * @throws IllegalStateException when the address cannot be bound (in use, not local)
   */
  public static AdminServer start(AdminConfig config, Control control, Reloader reloader) {
    requireNonNull(config, "config");
    requireNonNull(control, "control");
    requireNonNull(reloader, "reloader");
    try {
      AdminServer s = new AdminServer(config, control, reloader);
      log.info("admin API on {}:{}", config.listen().host(), s.port());
      return s;
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot listen for the admin API on " + config.listen() + ": " + e.getMessage(), e);
    }
  }

  /** The port the admin API listens on. */
  public int port() {
    return http.getAddress().getPort();
  }

  /**
   * Serves {@code /api/demo/instances} over {@code control} from now on ({@code tether demo} only);
   * {@code null} turns it off again.
   */
  public void instanceControl(InstanceControl control) {
    this.instances = control;
  }

  /** Re-registers the pool meters; call after a reload. */
  public void rebind() {
    Map<String, Pool> pools = new LinkedHashMap<>();
    for (String name : control.config().pools().keySet()) {
      Pool p = control.pool(name);
      if (p != null) {
        pools.put(name, p);
      }
    }
    meters.bind(pools, control::affinity);
  }

  @Override
  public void close() {
    http.stop(0);
    executor.close();
    gate.close();
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String refusal =
          crossSite.refusal(
              ex.getRequestMethod(),
              ex.getRequestHeaders().getFirst("Origin"),
              ex.getRequestHeaders().getFirst("Sec-Fetch-Site"),
              ex.getRequestHeaders().getFirst("Host"));
      if (refusal != null) {
        send(ex, 403, Map.of("error", refusal));
        return;
      }
      if (DashboardAssets.owns(ex.getRequestURI().getRawPath())) {
        dashboard.serve(ex);
        return;
      }
      if (ProbeRoutes.matches(ex.getRequestURI().getRawPath())) {
        if (allow(ex, "GET")) {
          ProbeRoutes.Answer a = ProbeRoutes.answer(ex.getRequestURI().getRawPath(), control);
          send(ex, a.status(), a.body());
        }
        return;
      }
      gate.serve(ex, this::send, this::route);
    } catch (RuntimeException e) {
      log.error(
          "admin request {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
      if (ex.getResponseCode() == -1) {
        send(ex, 500, Map.of("error", "internal error: " + e));
      }
    } finally {
      ex.close();
    }
  }

  private void route(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getPath();
    String[] p =
        path.length() > 1 && path.endsWith("/")
            ? path.substring(1, path.length() - 1).split("/")
            : path.substring(1).split("/");
    if (path.equals("/metrics")) {
      if (allow(ex, "GET")) {
        byte[] body = meters.scrape().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        write(ex, 200, body);
      }
    } else if (path.equals("/api/pools")) {
      reply(ex, PoolRoutes.pools(method, control));
    } else if (AnalyticsRoutes.matches(path)) {
      if (allow(ex, "GET")) {
        AnalyticsRoutes.Answer a = AnalyticsRoutes.answer(path, control);
        send(ex, a.status(), a.body());
      }
    } else if (path.equals("/api/reload")) {
      if (allow(ex, "POST")) {
        reload(ex);
      }
    } else if (ConfigRoutes.matches(path)) {
      if (allow(ex, "GET")) {
        ConfigRoutes.Answer a = ConfigRoutes.answer(control, json);
        ex.getResponseHeaders().set("Content-Type", a.contentType());
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        write(ex, a.status(), a.body());
      }
    } else if (ServerRoutes.matches(method, p)) {
      ServerRoutes.Answer a =
          ServerRoutes.answer(
              method,
              p,
              ex.getRequestURI().getRawQuery(),
              ex.getRequestBody().readNBytes(64 * 1024),
              control);
      reply(ex, a);
    } else if (PoolRoutes.isServers(p)) {
      reply(ex, PoolRoutes.servers(method, p[2], control));
    } else if (DrainRoutes.matches(path)) {
      DrainRoutes.Answer a =
          DrainRoutes.answer(method, ex.getRequestURI().getRawQuery(), path, control);
      if (a.status() == 405) {
        ex.getResponseHeaders().set("Allow", "GET, POST");
      }
      send(ex, a.status(), a.body());
    } else if (PoolRoutes.isServerAction(p)) {
      reply(ex, PoolRoutes.setState(method, p[2], p[4], p[5], control));
    } else if (DemoRoutes.matches(p)) {
      reply(ex, DemoRoutes.answer(method, p, ex.getRequestBody(), instances, json));
    } else {
      send(
          ex,
          404,
          Map.of(
              "error",
              "no such endpoint "
                  + method
                  + " "
                  + path
                  + "; see GET /api/pools, GET /api/pools/{pool}/servers, POST /api/pools/{pool}/servers/{server}/drain|enable|disable,"
                  + " POST /api/pools/{pool}/servers, DELETE /api/pools/{pool}/servers/{server}, PUT /api/pools/{pool}/servers/{server}/weight,"
                  + " GET /api/pools/{pool}/servers/{server}/drain, GET /api/pools/{pool}/sessions, GET /api/alerts, GET /api/config,"
                  + " POST /api/reload, GET /metrics, GET /live, GET /ready"));
    }
  }

  private boolean allow(HttpExchange ex, String method) throws IOException {
    if (ex.getRequestMethod().equals(method)) {
      return true;
    }
    reply(ex, PoolRoutes.notAllowed(ex.getRequestMethod(), method));
    return false;
  }

  private void reload(HttpExchange ex) throws IOException {
    try {
      reloader.reload();
      rebind();
      send(
          ex,
          200,
          Map.of(
              "reloaded",
              true,
              "source",
              control.config().source(),
              "pools",
              control.config().pools().size()));
    } catch (UnsupportedOperationException e) {
      send(ex, 501, Map.of("error", e.getMessage()));
    } catch (IllegalArgumentException e) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("error", e.getMessage());
      if (e.getCause() instanceof ConfigException ce) {
        body.put(
            "problems",
            ce.problems().stream()
                .map(
                    pr ->
                        Map.of(
                            "file",
                            pr.source(),
                            "line",
                            pr.line(),
                            "column",
                            pr.column(),
                            "key",
                            pr.path(),
                            "message",
                            pr.message()))
                .toList());
      }
      send(ex, 400, body);
    }
  }

  private void reply(HttpExchange ex, ServerRoutes.Answer a) throws IOException {
    if (a.allow() != null) {
      ex.getResponseHeaders().set("Allow", a.allow());
    }
    send(ex, a.status(), a.body());
  }

  private void send(HttpExchange ex, int status, Object body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    write(ex, status, json.writeValueAsBytes(body));
  }

  private static void write(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }
}
