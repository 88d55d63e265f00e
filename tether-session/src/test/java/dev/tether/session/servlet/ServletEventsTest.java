package dev.tether.session.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tether.session.SessionManager;
import dev.tether.session.SessionPolicy;
import dev.tether.session.SessionSweeper;
import dev.tether.session.codec.AttributeCodec;
import dev.tether.session.codec.JsonAttributeSerializer;
import dev.tether.session.memory.MemorySessionStore;
import dev.tether.testing.time.SettableClock;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EventListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Servlet session events from the filter, in a real Jetty 12 (two app instances sharing one store),
 * driven by a real HTTP client on loopback port 0.
 */
class ServletEventsTest {

  /** Binding and unbinding of {@link Badge} values, across both instances. */
  static final List<String> BINDINGS = new CopyOnWriteArrayList<>();

  /** An attribute value that wants to know when it is bound and unbound. */
  public record Badge(String name) implements HttpSessionBindingListener {
    @Override
    public void valueBound(HttpSessionBindingEvent e) {
      BINDINGS.add("bound " + name + " (before: " + e.getSession().getAttribute(e.getName()) + ")");
    }

    @Override
    public void valueUnbound(HttpSessionBindingEvent e) {
      BINDINGS.add("unbound " + name);
    }
  }

  /** Records every session event one instance delivers. */
  static final class Recorder
      implements HttpSessionListener, HttpSessionAttributeListener, HttpSessionIdListener {
    final List<String> log = new CopyOnWriteArrayList<>();

    @Override
    public void sessionCreated(HttpSessionEvent e) {
      log.add("created " + e.getSession().getId());
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent e) {
      HttpSession s = e.getSession();
      List<String> attrs = new ArrayList<>();
      for (String n : Collections.list(s.getAttributeNames())) {
        attrs.add(n + "=" + s.getAttribute(n));
      }
      boolean readOnly;
      try {
        s.setMaxInactiveInterval(60);
        readOnly = false;
      } catch (IllegalStateException ex) {
        readOnly = true;
      }
      log.add("destroyed " + s.getId() + " " + attrs + (readOnly ? " read-only" : ""));
    }

    @Override
    public void attributeAdded(HttpSessionBindingEvent e) {
      log.add("added " + e.getName() + "=" + e.getValue());
    }

    @Override
    public void attributeReplaced(HttpSessionBindingEvent e) {
      log.add(
          "replaced "
              + e.getName()
              + "="
              + e.getValue()
              + " by "
              + e.getSession().getAttribute(e.getName()));
    }

    @Override
    public void attributeRemoved(HttpSessionBindingEvent e) {
      log.add("removed " + e.getName() + "=" + e.getValue());
    }

    @Override
    public void sessionIdChanged(HttpSessionEvent e, String oldSessionId) {
      log.add("id " + oldSessionId + " -> " + e.getSession().getId());
    }
  }

  /** set, remove, badge, rotate, login, logout. */
  static final class App extends HttpServlet {
    private final SessionManager manager;

    App(SessionManager manager) {
      this.manager = manager;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      switch (req.getRequestURI()) {
        case "/set" -> req.getSession().setAttribute(req.getParameter("k"), req.getParameter("v"));
        case "/badge" ->
            req.getSession().setAttribute("badge", new Badge(req.getParameter("name")));
        case "/remove" -> req.getSession().removeAttribute(req.getParameter("k"));
        case "/rotate" -> resp.getWriter().write(req.changeSessionId());
        case "/login" ->
            manager.authentication().login(TetherSessionFilter.session(req, true), "ada");
        case "/logout" -> req.getSession().invalidate();
        case "/logout-twice" -> {
          HttpSession s = req.getSession();
          s.invalidate();
          try {
            s.invalidate();
          } catch (IllegalStateException e) {
            resp.getWriter().write(e.getMessage());
          }
        }
        case "/peek" -> {
          manager.csrf().token(TetherSessionFilter.session(req, true));
          HttpSession s = req.getSession();
          resp.getWriter()
              .write(s.getAttribute("tether.csrf") + " " + Collections.list(s.getAttributeNames()));
        }
        default -> resp.sendError(404);
      }
    }
  }

  private final SettableClock clock = new SettableClock(Instant.now());
  private final MemorySessionStore store = new MemorySessionStore(clock);
  private final JettyApps apps = new JettyApps();
  private final HttpClient http = HttpClient.newHttpClient();
  private final Recorder eventsA = new Recorder();
  private final Recorder eventsB = new Recorder();
  private SessionManager managerA;
  private SessionManager managerB;
  private URI a;
  private URI b;

  private SessionManager manager(MemorySessionStore s) {
    JsonAttributeSerializer json = new JsonAttributeSerializer().allow("badge", Badge.class);
    AttributeCodec codec =
        new AttributeCodec(json, AttributeCodec.Options.defaults(), new SecureRandom());
    return SessionManager.builder(s).clock(clock).codec(codec).build();
  }

  private URI start(SessionManager m, Recorder events) throws Exception {
    TetherSessionFilter filter =
        TetherSessionFilter.builder(m)
            .cookie(SessionCookie.defaults().insecure())
            .listener(events)
            .build();
    return apps.start(filter, new App(m));
  }

  @BeforeEach
  void start() throws Exception {
    BINDINGS.clear();
    managerA = manager(store);
    managerB = manager(store.peer(clock));
    a = start(managerA, eventsA);
    b = start(managerB, eventsB);
  }

  @AfterEach
  void stop() throws Exception {
    apps.close();
    http.close();
  }

  /** Sends a GET; returns the session id the response set, or {@code id} when it set none. */
  private String get(URI base, String pathAndQuery, String id) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(pathAndQuery));
    if (id != null) {
      r.header("Cookie", "TSESSION=" + id);
    }
    HttpResponse<String> res = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).as(pathAndQuery).isEqualTo(200);
    return res.headers().allValues("Set-Cookie").stream()
        .filter(v -> v.startsWith("TSESSION=") && !v.contains("Max-Age=0"))
        .map(v -> v.substring("TSESSION=".length(), v.indexOf(';')))
        .reduce((x, y) -> y)
        .orElse(id);
  }

  @Test
  void lifecycleAndAttributeEventsFollowTheHttpSession() throws Exception {
    String id = get(a, "/set?k=cart&v=tea", null);
    get(b, "/set?k=cart&v=coffee", id);
    get(a, "/remove?k=cart", id);
    get(a, "/remove?k=never-set", id);
    get(a, "/set?k=note&v=hi", id);
    get(a, "/logout", id);

    assertThat(eventsA.log)
        .containsExactly(
            "created " + id,
            "added cart=tea",
            "removed cart=coffee",
            "added note=hi",
            "destroyed " + id + " [note=hi]",
            "removed note=hi");
    assertThat(eventsB.log).containsExactly("replaced cart=tea by coffee");
    assertThat(store.load(id)).as("invalidated").isEmpty();
  }

  @Test
  void bindingListenerValuesAreBoundAndUnbound() throws Exception {
    String id = get(a, "/badge?name=ada", null);
    get(b, "/badge?name=bob", id);
    get(a, "/remove?k=badge", id);
    get(a, "/badge?name=cy", id);
    get(b, "/logout", id);

    assertThat(BINDINGS)
        .containsExactly(
            "bound ada (before: null)",
            "bound bob (before: Badge[name=ada])",
            "unbound ada",
            "unbound bob",
            "bound cy (before: null)",
            "unbound cy");
  }

  @Test
  void idChangesAreReportedWithTheOldId() throws Exception {
    String first = get(a, "/set?k=cart&v=tea", null);
    String rotated = get(a, "/rotate", first);
    String loggedIn = get(b, "/login", rotated);

    assertThat(rotated).isNotEqualTo(first);
    assertThat(loggedIn).isNotIn(first, rotated);
    assertThat(eventsA.log).contains("id " + first + " -> " + rotated);
    assertThat(eventsB.log).containsExactly("id " + rotated + " -> " + loggedIn);
  }

  @Test
  void renewalIsAnIdChange() throws Exception {
    SessionManager renewing =
        SessionManager.builder(store)
            .clock(clock)
            .policy(SessionPolicy.defaults().withRenewal(Duration.ofMinutes(10), Duration.ZERO))
            .build();
    Recorder events = new Recorder();
    URI c = start(renewing, events);
    String first = get(c, "/set?k=cart&v=tea", null);
    clock.advance(Duration.ofMinutes(11));

    String renewed = get(c, "/set?k=cart&v=coffee", first);

    assertThat(renewed).isNotEqualTo(first);
    assertThat(events.log)
        .containsExactly(
            "created " + first,
            "added cart=tea",
            "id " + first + " -> " + renewed,
            "replaced cart=tea by coffee");
  }

  @Test
  void expiryFiresOnceAcrossInstancesWithTheAttributesReadable() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      URI node = i % 2 == 0 ? a : b;
      String id = get(node, "/set?k=cart&v=tea" + i, null);
      get(node, "/badge?name=b" + i, id);
      ids.add(id);
    }
    eventsA.log.clear();
    eventsB.log.clear();
    BINDINGS.clear();
    clock.advance(Duration.ofMinutes(31));

    try (SessionSweeper sweepA = SessionSweeper.start(managerA, Duration.ofMillis(5));
        SessionSweeper sweepB = SessionSweeper.start(managerB, Duration.ofMillis(5))) {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(destroyed()).hasSize(3));
      assertThat(sweepA.runOnce() + sweepB.runOnce()).isZero();
    }

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      expected.add(
          "destroyed "
              + ids.get(i)
              + " [badge=Badge[name=b"
              + i
              + "], cart=tea"
              + i
              + "] read-only");
    }
    assertThat(destroyed()).containsExactlyInAnyOrderElementsOf(expected);
    List<String> all = Stream.concat(eventsA.log.stream(), eventsB.log.stream()).toList();
    assertThat(all.stream().filter(l -> l.startsWith("removed cart=")))
        .containsExactlyInAnyOrder("removed cart=tea0", "removed cart=tea1", "removed cart=tea2");
    assertThat(BINDINGS).containsExactlyInAnyOrder("unbound b0", "unbound b1", "unbound b2");
  }

  @Test
  void sessionsEndedByIdFireOnTheInstanceThatEndedThem() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      String id = get(a, "/set?k=cart&v=tea" + i, null);
      ids.add(get(a, "/login", id));
    }
    String other = get(a, "/set?k=cart&v=other", null);
    eventsA.log.clear();

    assertThat(managerB.principals().invalidateAll("ada")).isEqualTo(2);

    assertThat(eventsB.log.stream().filter(l -> l.startsWith("destroyed")))
        .containsExactlyInAnyOrder(
            "destroyed " + ids.get(0) + " [cart=tea0] read-only",
            "destroyed " + ids.get(1) + " [cart=tea1] read-only");
    assertThat(eventsB.log).contains("removed cart=tea0", "removed cart=tea1");
    assertThat(eventsA.log).as("nothing on the other instance").isEmpty();
    assertThat(store.load(other)).as("another user's session").isPresent();
  }

  private List<String> destroyed() {
    return Stream.concat(eventsA.log.stream(), eventsB.log.stream())
        .filter(l -> l.startsWith("destroyed"))
        .toList();
  }

  @Test
  void reservedAttributesStayHiddenAndASessionEndsOnce() throws Exception {
    HttpResponse<String> peek =
        http.send(
            HttpRequest.newBuilder(a.resolve("/peek")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(peek.body()).isEqualTo("null []");

    String id = get(a, "/set?k=cart&v=tea", null);
    HttpResponse<String> twice =
        http.send(
            HttpRequest.newBuilder(a.resolve("/logout-twice"))
                .header("Cookie", "TSESSION=" + id)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(twice.body()).isEqualTo("the session has been invalidated");
    assertThat(eventsA.log.stream().filter(l -> l.startsWith("destroyed"))).hasSize(1);
  }

  @Test
  void onlySessionListenersCanBeRegistered() {
    TetherSessionFilter.Builder builder = TetherSessionFilter.builder(managerA);
    assertThatThrownBy(() -> builder.listener(new Badge("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "is not an HttpSessionListener, HttpSessionAttributeListener or HttpSessionIdListener")
        .hasMessageContaining("notified as an attribute value");
    assertThatThrownBy(() -> builder.listener(new EventListener() {}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
