package dev.tether.session.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.ActiveSession;
import dev.tether.session.SessionListener;
import dev.tether.session.SessionManager;
import dev.tether.session.SessionPolicy;
import dev.tether.session.SessionPolicy.Binding;
import dev.tether.session.SessionPolicy.BindingMode;
import dev.tether.session.cache.NearCacheStore;
import dev.tether.session.memory.MemorySessionStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The filter in a real Jetty 12 (two app instances sharing one store), driven by a real HTTP client
 * on loopback port 0.
 */
class TetherSessionFilterTest {

  /** A small app: set/get attributes, login, logout, CSRF-protected transfer, big pages. */
  static final class App extends HttpServlet {
    private final SessionManager manager;

    App(SessionManager manager) {
      this.manager = manager;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain");
      String path = req.getRequestURI();
      switch (path) {
        case "/set" -> {
          HttpSession s = req.getSession();
          s.setAttribute(req.getParameter("k"), req.getParameter("v"));
          resp.getWriter().write("ok");
        }
        case "/get" -> {
          HttpSession s = req.getSession(false);
          resp.getWriter()
              .write(
                  s == null ? "no-session" : String.valueOf(s.getAttribute(req.getParameter("k"))));
        }
        case "/login" -> {
          ActiveSession s = TetherSessionFilter.session(req, true);
          manager.authentication().login(s, req.getParameter("user"));
          resp.getWriter().write("welcome");
        }
        case "/logout" -> {
          HttpSession s = req.getSession(false);
          if (s != null) {
            s.invalidate();
          }
          resp.getWriter().write("bye");
        }
        case "/token" ->
            resp.getWriter().write(manager.csrf().token(TetherSessionFilter.session(req, true)));
        case "/transfer" -> resp.getWriter().write("transferred");
        case "/big" -> {
          req.getSession().setAttribute("big", "yes");
          resp.getOutputStream().write(new byte[200_000]);
          resp.getOutputStream().flush();
        }
        default -> resp.sendError(404);
      }
    }
  }

  private final MemorySessionStore store = new MemorySessionStore(Clock.systemUTC());
  private final List<Server> servers = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private SessionManager managerA;
  private URI a;
  private URI b;

  @BeforeEach
  void start() throws Exception {
    managerA = SessionManager.builder(store).build();
    SessionManager managerB = SessionManager.builder(store.peer(Clock.systemUTC())).build();
    a = startApp(managerA, SessionCookie.defaults().insecure());
    b = startApp(managerB, SessionCookie.defaults().insecure());
  }

  private URI startApp(SessionManager manager, SessionCookie cookie) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    ctx.addFilter(
        new FilterHolder(new TetherSessionFilter(manager, cookie)),
        "/*",
        EnumSet.of(DispatcherType.REQUEST));
    ctx.addFilter(
        new FilterHolder(new CsrfFilter(manager)), "/transfer", EnumSet.of(DispatcherType.REQUEST));
    ctx.addServlet(new ServletHolder(new App(manager)), "/*");
    server.setHandler(ctx);
    server.start();
    servers.add(server);
    return URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  @AfterEach
  void stop() throws Exception {
    for (Server s : servers) {
      s.stop();
    }
    http.close();
  }

  private HttpResponse<String> get(URI base, String pathAndQuery, String cookie) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(pathAndQuery));
    if (cookie != null) {
      r.header("Cookie", cookie);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(URI base, String pathAndQuery, String cookie, String csrf)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(base.resolve(pathAndQuery))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (cookie != null) {
      r.header("Cookie", cookie);
    }
    if (csrf != null) {
      r.header(CsrfFilter.HEADER, csrf);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void sessionCreatedOnOneInstanceIsSeenOnTheOther() throws Exception {
    HttpResponse<String> set = get(a, "/set?k=cart&v=tea", null);
    String cookie = JettyApps.cookieOf(set);

    assertThat(set.headers().firstValue("Set-Cookie").orElseThrow())
        .isEqualTo(cookie + "; Path=/; HttpOnly; SameSite=Lax")
        .doesNotContainIgnoringCase("max-age")
        .doesNotContainIgnoringCase("expires");
    assertThat(set.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(get(b, "/get?k=cart", cookie).body()).isEqualTo("tea");
    assertThat(get(a, "/get?k=cart", cookie).headers().allValues("Set-Cookie"))
        .as("no new cookie")
        .isEmpty();
  }

  /** The memory store, reporting {@code s2, s3} as every session's owners, as a grid would. */
  private static final class OwnedStore implements dev.tether.session.spi.SessionStore {
    private final dev.tether.session.spi.SessionStore d;

    OwnedStore(dev.tether.session.spi.SessionStore d) {
      this.d = d;
    }

    @Override
    public List<String> owners(String id) {
      return List.of("s2", "s3");
    }

    @Override
    public java.util.Optional<dev.tether.session.spi.SessionRecord> load(String id) {
      return d.load(id);
    }

    @Override
    public java.util.OptionalLong currentVersion(String id) {
      return d.currentVersion(id);
    }

    @Override
    public dev.tether.session.spi.SaveResult create(dev.tether.session.spi.SessionRecord r) {
      return d.create(r);
    }

    @Override
    public dev.tether.session.spi.SaveResult save(dev.tether.session.spi.SessionDelta delta) {
      return d.save(delta);
    }

    @Override
    public boolean delete(String id) {
      return d.delete(id);
    }

    @Override
    public dev.tether.session.spi.SaveResult rotateId(String oldId, String newId) {
      return d.rotateId(oldId, newId);
    }

    @Override
    public java.util.Set<String> findByPrincipal(String principal) {
      return d.findByPrincipal(principal);
    }

    @Override
    public List<dev.tether.session.spi.SessionRecord> sweepExpired(int limit) {
      return d.sweepExpired(limit);
    }
  }

  @Test
  void theBalancerIsToldTheSessionsOwnersWhenTheStoreHasThem() throws Exception {
    URI owned =
        startApp(
            SessionManager.builder(new OwnedStore(store)).build(),
            SessionCookie.defaults().insecure());
    HttpResponse<String> set = get(owned, "/set?k=cart&v=tea", null);
    assertThat(set.headers().allValues("Tether-Session-Owners")).containsExactly("s2, s3");
    String cookie = JettyApps.cookieOf(set);
    assertThat(get(owned, "/get?k=cart", cookie).headers().allValues("Tether-Session-Owners"))
        .as("on a read too, so a change of owners reaches the balancer")
        .containsExactly("s2, s3");
    assertThat(get(owned, "/get?k=cart", null).headers().allValues("Tether-Session-Owners"))
        .as("no session")
        .isEmpty();
    assertThat(get(a, "/get?k=cart", cookie).headers().allValues("Tether-Session-Owners"))
        .as("a store without owners")
        .isEmpty();
  }

  @Test
  void unknownIdsAreNeverAdopted() throws Exception {
    String forged = "TSESSION=" + "A".repeat(43);
    HttpResponse<String> r = get(a, "/set?k=x&v=1", forged);

    assertThat(JettyApps.cookieOf(r)).isNotEqualTo(forged);
    assertThat(r.headers().allValues("Set-Cookie").get(0))
        .as("stale cookie dropped first")
        .startsWith("TSESSION=;")
        .contains("Max-Age=0");
    assertThat(get(a, "/get?k=x", forged).headers().allValues("Set-Cookie"))
        .singleElement()
        .asString()
        .contains("Max-Age=0");
    assertThat(store.load("A".repeat(43))).isEmpty();
    assertThat(managerA.unknownIdCount("127.0.0.1")).isEqualTo(2);
    assertThat(get(a, "/get?k=x", "TSESSION=;jsessionid").body()).isEqualTo("no-session");
  }

  @Test
  void sessionIsSavedBeforeTheResponseCommits() throws Exception {
    HttpResponse<String> big = get(a, "/big", null);
    String cookie = JettyApps.cookieOf(big);
    assertThat(big.body()).hasSize(200_000);

    assertThat(get(b, "/get?k=big", cookie).body()).isEqualTo("yes");
  }

  @Test
  void loginRotatesTheIdAndTheOldCookieIsDead() throws Exception {
    String anonymous = JettyApps.cookieOf(get(a, "/set?k=cart&v=tea", null));
    HttpResponse<String> login = post(a, "/login?user=ada", anonymous, null);
    String loggedIn = JettyApps.cookieOf(login);

    assertThat(loggedIn).isNotEqualTo(anonymous);
    assertThat(get(b, "/get?k=cart", loggedIn).body()).isEqualTo("tea");
    assertThat(get(b, "/get?k=cart", anonymous).body()).isEqualTo("no-session");
    assertThat(store.findByPrincipal("ada"))
        .containsExactly(loggedIn.substring("TSESSION=".length()));
  }

  @Test
  void logoutInvalidatesEverywhereAndClearsSiteData() throws Exception {
    String cookie = JettyApps.cookieOf(get(a, "/set?k=cart&v=tea", null));

    HttpResponse<String> logout = post(a, "/logout", cookie, null);

    assertThat(logout.headers().firstValue("Clear-Site-Data"))
        .hasValue("\"cache\", \"cookies\", \"storage\"");
    assertThat(logout.headers().allValues("Set-Cookie"))
        .anyMatch(v -> v.startsWith("TSESSION=;") && v.contains("Max-Age=0"));
    assertThat(get(b, "/get?k=cart", cookie).body()).isEqualTo("no-session");
    assertThat(get(a, "/get?k=cart", cookie).body()).isEqualTo("no-session");
  }

  @Test
  void csrfTokenIsRequiredForStateChangingRequests() throws Exception {
    HttpResponse<String> tokenResponse = get(a, "/token", null);
    String cookie = JettyApps.cookieOf(tokenResponse);
    String token = tokenResponse.body();

    assertThat(post(a, "/transfer", cookie, null).statusCode()).isEqualTo(403);
    assertThat(post(a, "/transfer", cookie, "wrong").statusCode()).isEqualTo(403);
    assertThat(post(a, "/transfer", null, token).statusCode()).isEqualTo(403);
    HttpResponse<String> ok = post(b, "/transfer", cookie, token);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("transferred");
  }

  @Test
  void fiftyConcurrentRequestsOfOneSessionKeepAllTheirAttributes() throws Exception {
    String cookie = JettyApps.cookieOf(get(a, "/set?k=start&v=1", null));
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      URI base = i % 2 == 0 ? a : b;
      HttpRequest r =
          HttpRequest.newBuilder(base.resolve("/set?k=w" + i + "&v=" + i))
              .header("Cookie", cookie)
              .build();
      inFlight.add(http.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : inFlight) {
      assertThat(f.get().statusCode()).isEqualTo(200);
    }

    for (int i = 0; i < 50; i++) {
      assertThat(get(b, "/get?k=w" + i, cookie).body()).isEqualTo("" + i);
    }
  }

  @Test
  void expiryWarningHeaderAppearsNearTheEnd() throws Exception {
    SessionManager shortLived =
        SessionManager.builder(store)
            .policy(
                SessionPolicy.defaults().withTimeouts(Duration.ofMinutes(3), Duration.ofHours(1)))
            .build();
    URI c = startApp(shortLived, SessionCookie.defaults().insecure());
    String cookie = JettyApps.cookieOf(get(c, "/set?k=a&v=1", null));

    HttpResponse<String> next = get(c, "/get?k=a", cookie);

    long left =
        Long.parseLong(next.headers().firstValue("Tether-Session-Expires-In").orElseThrow());
    assertThat(left).isBetween(170L, 180L);
  }

  @Test
  void nearCachesNeverServeStaleDataAfterFailover() throws Exception {
    NearCacheStore cacheA = new NearCacheStore(store.peer(Clock.systemUTC()), 100);
    NearCacheStore cacheB = new NearCacheStore(store.peer(Clock.systemUTC()), 100);
    URI nearA =
        startApp(SessionManager.builder(cacheA).build(), SessionCookie.defaults().insecure());
    URI nearB =
        startApp(SessionManager.builder(cacheB).build(), SessionCookie.defaults().insecure());
    String cookie = JettyApps.cookieOf(get(nearA, "/set?k=cart&v=tea", null));
    assertThat(get(nearA, "/get?k=cart", cookie).body()).isEqualTo("tea");
    assertThat(cacheA.hits()).as("sticky request served from the near cache").isEqualTo(1);

    assertThat(get(nearB, "/set?k=cart&v=coffee", cookie).statusCode()).isEqualTo(200);

    assertThat(get(nearA, "/get?k=cart", cookie).body())
        .as("back on A after B changed it")
        .isEqualTo("coffee");
    assertThat(cacheA.misses()).isEqualTo(1);
  }

  @Test
  void secureDefaultsUseTheHostPrefix() throws Exception {
    URI secure = startApp(managerA, SessionCookie.defaults());
    HttpResponse<String> r = get(secure, "/set?k=a&v=1", null);
    String set = r.headers().firstValue("Set-Cookie").orElseThrow();

    assertThat(set)
        .startsWith("__Host-TSESSION=")
        .endsWith("; Path=/; Secure; HttpOnly; SameSite=Lax")
        .doesNotContain("Domain");
    String cookie = set.substring(0, set.indexOf(';'));
    assertThat(get(secure, "/get?k=a", cookie).body()).isEqualTo("1");
    assertThat(get(secure, "/get?k=a", cookie.replace("__Host-", "")).body())
        .as("unprefixed name ignored")
        .isEqualTo("no-session");
  }

  @Test
  void aSessionBoundToItsClientAlertsOnAnotherAddressAndEndsOnAnotherUserAgent() throws Exception {
    List<String> mismatches = new CopyOnWriteArrayList<>();
    SessionManager bound =
        SessionManager.builder(store)
            .policy(
                SessionPolicy.defaults()
                    .withBinding(new Binding(BindingMode.ALERT, 32, 128, BindingMode.TERMINATE)))
            .listener(
                new SessionListener() {
                  @Override
                  public void bindingMismatch(String d, String property, boolean terminated) {
                    mismatches.add(property + (terminated ? " terminated" : " alert"));
                  }
                })
            .build();
    URI c = startApp(bound, SessionCookie.defaults().insecure());
    String firefox = "Mozilla/5.0 Firefox/128.0";
    String cookie = JettyApps.cookieOf(send(http, c, "/set?k=cart&v=tea", null, firefox));

    assertThat(send(http, c, "/get?k=cart", cookie, firefox).body()).isEqualTo("tea");
    assertThat(mismatches).isEmpty();
    try (HttpClient elsewhere =
        HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.2")).build()) {
      assertThat(send(elsewhere, c, "/get?k=cart", cookie, firefox).body())
          .as("alert only")
          .isEqualTo("tea");
    }
    assertThat(mismatches).containsExactly("address alert");

    HttpResponse<String> otherAgent = send(http, c, "/get?k=cart", cookie, "curl/8.5.0");

    assertThat(otherAgent.body()).isEqualTo("no-session");
    assertThat(otherAgent.headers().allValues("Set-Cookie"))
        .singleElement()
        .asString()
        .startsWith("TSESSION=;")
        .contains("Max-Age=0");
    assertThat(mismatches).containsExactly("address alert", "user-agent terminated");
    assertThat(send(http, c, "/get?k=cart", cookie, firefox).body())
        .as("gone for the owner too")
        .isEqualTo("no-session");
  }

  private static HttpResponse<String> send(
      HttpClient client, URI base, String pathAndQuery, String cookie, String userAgent)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(base.resolve(pathAndQuery)).header("User-Agent", userAgent);
    if (cookie != null) {
      r.header("Cookie", cookie);
    }
    return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
