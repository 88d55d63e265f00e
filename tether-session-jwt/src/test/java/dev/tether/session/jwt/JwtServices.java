package dev.tether.session.jwt;

import com.nimbusds.jose.jwk.ECKey;
import dev.tether.session.ActiveSession;
import dev.tether.session.SessionManager;
import dev.tether.session.jwt.verify.JwksCache;
import dev.tether.session.jwt.verify.JwksFetcher;
import dev.tether.session.jwt.verify.JwtVerifierFilter;
import dev.tether.session.jwt.verify.RevocationCheck;
import dev.tether.session.jwt.verify.TokenVerifier;
import dev.tether.session.jwt.verify.VerifiedSession;
import dev.tether.session.jwt.verify.VerifierSettings;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.session.servlet.SessionCookie;
import dev.tether.session.servlet.TetherSessionFilter;
import dev.tether.testing.time.SettableClock;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Two Jetty 12 apps on loopback port 0: the shop, which keeps sessions (memory store) and issues
 * their JWTs, and the orders service, which knows nothing of sessions and authorises from the
 * token's claims. Both run on one {@link SettableClock}, so token lifetimes and key rotation are
 * driven by advancing it.
 */
final class JwtServices implements AutoCloseable {

  static final String ISSUER = "https://shop.example";

  final SettableClock clock;
  final SessionManager manager;
  final SessionTokenIssuer issuer;
  final URI shop;
  final URI orders;
  final JwksCache jwks;
  private final List<Server> servers = new ArrayList<>();

  JwtServices(SettableClock clock, List<ECKey> keys) throws Exception {
    this.clock = clock;
    this.manager = SessionManager.builder(new MemorySessionStore(clock)).clock(clock).build();
    this.issuer =
        new SessionTokenIssuer(
            JwtSettings.of(ISSUER, List.of("orders")).withClaims(Map.of("roles", "roles")),
            JwtKeySet.of(List.copyOf(keys), JwtSettings.DEFAULT_LIFETIME.plusMinutes(1)),
            clock,
            new SecureRandom());
    SessionJwtFilter jwt = new SessionJwtFilter(issuer, JwtEndpoints.defaults());
    TetherSessionFilter sessions =
        TetherSessionFilter.builder(manager)
            .cookie(SessionCookie.defaults().insecure())
            .listener(jwt)
            .build();
    this.shop = start(new ShopServlet(manager), sessions, jwt);

    VerifierSettings settings =
        VerifierSettings.of(shop.resolve(JwtEndpoints.DEFAULT_JWKS_PATH), ISSUER, "orders");
    this.jwks =
        new JwksCache(
            settings.jwksUri(),
            JwksFetcher.http(Duration.ofSeconds(5)),
            settings.jwksMaxAge(),
            settings.jwksMinInterval(),
            clock);
    this.orders =
        start(
            new OrdersServlet(),
            new JwtVerifierFilter(
                new TokenVerifier(settings, jwks, RevocationCheck.NONE, clock), "orders"));
  }

  private URI start(HttpServlet servlet, Filter... filters) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    for (Filter f : filters) {
      ctx.addFilter(new FilterHolder(f), "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    ctx.addServlet(new ServletHolder(servlet), "/*");
    server.setHandler(ctx);
    server.start();
    servers.add(server);
    return URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  @Override
  public void close() throws Exception {
    for (Server s : servers.reversed()) {
      s.stop();
    }
  }

  /** POST /login?user=U&roles=a,b; POST /roles?roles=...; GET /cart; POST /logout. */
  private static final class ShopServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient SessionManager manager;

    ShopServlet(SessionManager manager) {
      this.manager = manager;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
      String path = req.getRequestURI();
      if (path.equals("/login")) {
        ActiveSession s = TetherSessionFilter.session(req, true);
        manager.authentication().login(s, req.getParameter("user"));
        s.setAttribute("roles", Arrays.asList(req.getParameter("roles").split(",")));
      } else if (path.equals("/roles")) {
        TetherSessionFilter.session(req, false)
            .setAttribute("roles", Arrays.asList(req.getParameter("roles").split(",")));
      } else if (path.equals("/cart")) {
        ActiveSession s = TetherSessionFilter.session(req, false);
        if (s == null) {
          res.sendError(401);
          return;
        }
        s.setAttribute("cart", List.of(1, 2)); // a change no claim depends on
      } else if (path.equals("/logout")) {
        req.getSession(false).invalidate();
      } else {
        res.sendError(404);
        return;
      }
      res.setContentType("text/plain");
      res.getWriter().write("ok\n");
    }
  }

  /** GET /me: who the token says; GET /admin: only for the role admin, from the claims alone. */
  private static final class OrdersServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
      VerifiedSession s = JwtVerifierFilter.session(req);
      boolean admin = s.claim("roles") instanceof List<?> roles && roles.contains("admin");
      if (req.getRequestURI().equals("/admin") && !admin) {
        res.sendError(403, "admins only");
        return;
      }
      res.setContentType("text/plain");
      res.getWriter()
          .write(
              req.getUserPrincipal().getName() + " " + s.claim("roles") + " " + s.keyId() + "\n");
    }
  }
}
