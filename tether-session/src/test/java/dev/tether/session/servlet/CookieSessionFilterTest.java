package dev.tether.session.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.session.ActiveSession;
import dev.tether.session.SessionManager;
import dev.tether.session.codec.EncryptionKeys;
import dev.tether.session.cookie.CookieSessionStore;
import dev.tether.session.cookie.CookieStoreSettings;
import dev.tether.session.memory.MemorySessionStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cookie store through the filter in two real Jetty 12 instances that share only the key ring
 * and the revocation store, driven by a real HTTP client whose cookie jar this test keeps.
 */
class CookieSessionFilterTest {

  private static final EncryptionKeys KEYS =
      EncryptionKeys.ofRaw("k1", Map.of("k1", new SecureRandom().generateSeed(32)));

  /** /set?k&v, /get?k, /fill?n (n random characters), /login?user, /logout. */
  static final class App extends HttpServlet {
    private final SessionManager manager;

    App(SessionManager manager) {
      this.manager = manager;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain");
      switch (req.getRequestURI()) {
        case "/set" -> req.getSession().setAttribute(req.getParameter("k"), req.getParameter("v"));
        case "/fill" -> {
          byte[] noise = new byte[Integer.parseInt(req.getParameter("n")) * 3 / 4];
          new SecureRandom().nextBytes(noise);
          req.getSession().setAttribute("fill", Base64.getEncoder().encodeToString(noise));
        }
        case "/get" -> {
          HttpSession s = req.getSession(false);
          Object v = s == null ? "no-session" : s.getAttribute(req.getParameter("k"));
          resp.getWriter()
              .write(String.valueOf(v instanceof String t && t.length() > 40 ? t.length() : v));
          return;
        }
        case "/login" -> {
          ActiveSession s = TetherSessionFilter.session(req, true);
          manager.authentication().login(s, req.getParameter("user"));
        }
        case "/async" -> {
          jakarta.servlet.AsyncContext ctx = req.startAsync();
          ctx.start(
              () -> {
                try {
                  ((HttpServletRequest) ctx.getRequest())
                      .getSession()
                      .setAttribute("async", "done");
                  ctx.getResponse().getWriter().write("ok");
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
                ctx.complete();
              });
          return;
        }
        case "/logout" -> {
          HttpSession s = req.getSession(false);
          if (s != null) {
            s.invalidate();
          }
        }
        default -> {
          resp.sendError(404);
          return;
        }
      }
      resp.getWriter().write("ok");
    }
  }

  private final MemorySessionStore revocations = new MemorySessionStore(Clock.systemUTC());
  private final List<Server> servers = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<CookieSessionStore> stores = new ArrayList<>();
  private URI a;
  private URI b;

  @BeforeEach
  void start() throws Exception {
    a = startApp();
    b = startApp();
  }

  /** One app instance: its own cookie store over the shared keys and revocation store. */
  private URI startApp() throws Exception {
    CookieSessionStore store =
        new CookieSessionStore(
            KEYS,
            CookieStoreSettings.defaults().withCookieName("TSESSION"),
            revocations,
            Clock.systemUTC(),
            new SecureRandom());
    stores.add(store);
    SessionManager manager = SessionManager.builder(store).build();
    Server server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    config.setRequestHeaderSize(32 * 1024); // four 4 KiB cookies do not fit Jetty's default 8 KiB
    config.setResponseHeaderSize(32 * 1024);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    ctx.addFilter(
        new FilterHolder(new TetherSessionFilter(manager, SessionCookie.defaults().insecure())),
        "/*",
        EnumSet.of(DispatcherType.REQUEST));
    ctx.addServlet(new ServletHolder(new App(manager)), "/*");
    server.setHandler(ctx);
    server.start();
    servers.add(server);
    return URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  @AfterEach
  void stop() throws Exception {
    // every request released what it held, async ones and failed ones included
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .until(() -> stores.stream().allMatch(s -> s.heldCount() == 0));
    for (Server s : servers) {
      s.stop();
    }
    http.close();
  }

  /** A browser's cookie jar: name to value, updated from each response's Set-Cookie headers. */
  private final class Browser {
    final Map<String, String> jar = new LinkedHashMap<>();
    HttpResponse<String> last;

    String get(URI base, String path) throws Exception {
      return send(base, path, jar);
    }

    String send(URI base, String path, Map<String, String> cookies) throws Exception {
      HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path));
      if (!cookies.isEmpty()) {
        r.header(
            "Cookie",
            cookies.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("; ")));
      }
      last = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
      for (String set : last.headers().allValues("Set-Cookie")) {
        String pair = set.substring(0, set.indexOf(';'));
        String name = pair.substring(0, pair.indexOf('='));
        if (set.contains("Max-Age=0")) {
          jar.remove(name);
        } else {
          jar.put(name, pair.substring(pair.indexOf('=') + 1));
        }
      }
      return last.body();
    }
  }

  @Test
  void theSessionTravelsInTheCookieFromOneInstanceToTheOther() throws Exception {
    Browser browser = new Browser();
    browser.get(a, "/set?k=cart&v=3-apples");

    assertThat(browser.jar).containsOnlyKeys("TSESSION");
    assertThat(browser.last.headers().firstValue("Set-Cookie").orElseThrow())
        .contains("HttpOnly", "SameSite=Lax");
    assertThat(browser.jar.get("TSESSION")).doesNotContain("apples");
    assertThat(browser.get(b, "/get?k=cart")).isEqualTo("3-apples");
    assertThat(browser.last.headers().allValues("Set-Cookie"))
        .as("a read writes nothing")
        .isEmpty();
  }

  @Test
  void aChangeMadeOnAnAsyncThreadReachesTheCookie() throws Exception {
    Browser browser = new Browser();
    browser.get(a, "/set?k=cart&v=x");

    assertThat(browser.get(a, "/async")).isEqualTo("ok");

    assertThat(browser.get(b, "/get?k=async")).isEqualTo("done");
    assertThat(browser.get(b, "/get?k=cart")).isEqualTo("x");
  }

  @Test
  void aLargeSessionIsSplitOverSeveralCookiesAndShrinksBack() throws Exception {
    Browser browser = new Browser();
    browser.get(a, "/fill?n=9000");
    assertThat(browser.jar).containsOnlyKeys("TSESSION", "TSESSION.1", "TSESSION.2");
    assertThat(browser.get(b, "/get?k=fill")).isEqualTo("9000");

    browser.get(b, "/fill?n=100");

    assertThat(browser.jar)
        .as("the parts no longer needed are expired")
        .containsOnlyKeys("TSESSION");
    assertThat(browser.get(a, "/get?k=fill")).isEqualTo("100");
  }

  @Test
  void aSessionOverTheLimitFailsTheRequestAndTheBrowserKeepsThePreviousSession() throws Exception {
    Browser browser = new Browser();
    browser.get(a, "/set?k=cart&v=kept");
    Map<String, String> before = Map.copyOf(browser.jar);

    browser.get(a, "/fill?n=20000");

    assertThat(browser.last.statusCode()).isEqualTo(500);
    assertThat(browser.last.headers().allValues("Set-Cookie")).as("no truncated session").isEmpty();
    assertThat(browser.jar).isEqualTo(before);
    assertThat(browser.get(b, "/get?k=cart")).isEqualTo("kept");
  }

  @Test
  void cookiesFromBeforeALogoutAreRefusedOnEveryInstance() throws Exception {
    Browser browser = new Browser();
    browser.get(a, "/set?k=cart&v=x");
    browser.get(a, "/login?user=alice");
    Map<String, String> stolen = Map.copyOf(browser.jar);

    browser.get(b, "/logout");

    assertThat(browser.jar).isEmpty();
    Browser thief = new Browser();
    assertThat(thief.send(a, "/get?k=cart", stolen)).isEqualTo("no-session");
    assertThat(thief.last.headers().allValues("Set-Cookie"))
        .anySatisfy(v -> assertThat(v).startsWith("TSESSION=;").contains("Max-Age=0"));
    assertThat(thief.send(b, "/get?k=cart", stolen)).isEqualTo("no-session");
  }

  @Test
  void aCookieFromBeforeTheLoginIsRefusedAfterIt() throws Exception {
    Browser browser = new Browser();
    browser.get(a, "/set?k=cart&v=x");
    Map<String, String> anonymous = Map.copyOf(browser.jar);
    browser.get(a, "/login?user=alice");

    assertThat(browser.get(b, "/get?k=cart")).isEqualTo("x");
    assertThat(new Browser().send(b, "/get?k=cart", anonymous))
        .as("the id rotated at login")
        .isEqualTo("no-session");
  }

  @Test
  void aTamperedCookieOpensNoSessionAndIsDropped() throws Exception {
    Browser browser = new Browser();
    browser.get(a, "/set?k=cart&v=x");
    String v = browser.jar.get("TSESSION");
    char c = v.charAt(v.length() / 2);
    browser.jar.put(
        "TSESSION",
        v.substring(0, v.length() / 2) + (c == 'A' ? 'B' : 'A') + v.substring(v.length() / 2 + 1));

    assertThat(browser.get(b, "/get?k=cart")).isEqualTo("no-session");
    assertThat(browser.jar).isEmpty();
  }
}
