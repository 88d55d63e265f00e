package dev.tether.it;

import dev.tether.session.SessionManager;
import dev.tether.session.cache.NearCacheStore;
import dev.tether.session.servlet.SessionCookie;
import dev.tether.session.servlet.TetherSessionFilter;
import dev.tether.session.spi.ClientSideStore;
import dev.tether.session.spi.SessionStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * One application instance: a Jetty 12 server with the session filter over a near cache in front of
 * the shared store, and a tiny shop (a cart in the session). Its HTTP listener can be stopped and
 * started again on the same port while the instance keeps its near cache, the worst case for
 * serving a stale session.
 */
final class AppInstance implements AutoCloseable {

  private final String name;
  private final NearCacheStore nearCache;
  private final SessionManager manager;
  private int port;
  private Server server;

  AppInstance(String name, SessionStore store) throws Exception {
    this(name, store, false);
  }

  /**
   * @param trustBindings the near cache serves sessions bound to the balancer's binding without a
   *     store call ({@link NearCacheStore#trustingBindings})
   */
  AppInstance(String name, SessionStore store, boolean trustBindings) throws Exception {
    this.name = name;
    // a client-side store has nothing to cache and must reach the filter unwrapped
    this.nearCache =
        store instanceof ClientSideStore
            ? null
            : trustBindings
                ? NearCacheStore.trustingBindings(store, 1000, java.time.Clock.systemUTC())
                : new NearCacheStore(store, 1000);
    this.manager = SessionManager.builder(nearCache == null ? store : nearCache).build();
    start(0);
  }

  String name() {
    return name;
  }

  int port() {
    return port;
  }

  /** The near cache, or {@code null} over a client-side store. */
  NearCacheStore nearCache() {
    return nearCache;
  }

  /** Stops the HTTP listener (the instance is gone as far as clients and the balancer see). */
  void stopListener() throws Exception {
    server.stop();
    server = null;
  }

  /** Starts the HTTP listener again on the same port; the near cache is kept. */
  void startListener() throws Exception {
    start(port);
  }

  private void start(int onPort) throws Exception {
    Server s = new Server();
    ServerConnector connector = new ServerConnector(s);
    connector.setHost("127.0.0.1");
    connector.setPort(onPort);
    connector.setReuseAddress(true);
    s.addConnector(connector);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    ctx.addFilter(
        new FilterHolder(new TetherSessionFilter(manager, SessionCookie.defaults().insecure())),
        "/*",
        EnumSet.of(DispatcherType.REQUEST));
    ctx.addServlet(new ServletHolder(new Shop()), "/*");
    s.setHandler(ctx);
    s.start();
    this.server = s;
    this.port = connector.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  /** {@code /add?item=x} appends to the cart; {@code /cart} shows it; both name the instance. */
  private final class Shop extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain");
      resp.setHeader("X-Instance", name);
      switch (req.getRequestURI()) {
        case "/add" -> {
          HttpSession s = req.getSession();
          String cart = (String) s.getAttribute("cart");
          String item = req.getParameter("item");
          s.setAttribute("cart", cart == null ? item : cart + "," + item);
          resp.getWriter().write("added " + item);
        }
        case "/cart" -> {
          HttpSession s = req.getSession(false);
          resp.getWriter().write(s == null ? "no-session" : String.valueOf(s.getAttribute("cart")));
        }
        default -> resp.sendError(404);
      }
    }
  }
}
