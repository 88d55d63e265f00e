package dev.tether.session.dropin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.net.FreePorts;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.jetty.ee.webapp.WebAppClassLoader;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drop-in in embedded Jetty 12 (ee10): the sample application, unmodified, with the drop-in
 * jars in its {@code WEB-INF/lib} and {@code tether-session.properties} in {@code WEB-INF/classes},
 * deployed as a {@link WebAppContext} (which finds the initializer through {@code ServiceLoader},
 * as for any {@code ServletContainerInitializer}).
 */
class JettyDropinIT {

  @TempDir Path dir;

  private final List<Server> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (Server s : started) {
      s.stop();
    }
  }

  private record Instance(Server server, WebAppContext app, int port) {
    String url(String path) {
      return "http://127.0.0.1:" + port + path;
    }
  }

  private Instance jetty(String name, String properties) throws Exception {
    Path war = SampleApp.write(dir.resolve(name), SampleApp.dropinJars());
    Files.writeString(war.resolve("WEB-INF/classes/tether-session.properties"), properties);
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    WebAppContext app = new WebAppContext(war.toString(), "/");
    app.setClassLoader(
        new WebAppClassLoader(new ContainerOnlyLoader(getClass().getClassLoader()), app));
    server.setHandler(app);
    started.add(server);
    server.start();
    return new Instance(server, app, connector.getLocalPort());
  }

  @Test
  void twoJettysShareSessionsThroughRedisWithIdChangesAndListeners() throws Exception {
    String redis = Services.redis();
    String props =
        "store=redis\nstore.uri="
            + redis
            + "\nstore.key-prefix=tether:dropin-it:"
            + UUID.randomUUID()
            + ":\ncookie.secure=false\ncookie.name=SHOP\n";
    Instance a = jetty("a", props);
    Instance b = jetty("b", props);
    assertThat(a.app().isAvailable()).isTrue();
    Browser browser = new Browser("SHOP");

    assertThat(browser.body(a.url("/peek"))).isEqualTo("no session");
    HttpResponse<String> set = browser.get(a.url("/set?name=cart&value=three-items"));
    assertThat(set.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("JSESSIONID"));
    String first = browser.cookie();
    assertThat(set.body()).isEqualTo("ok " + first);
    assertThat(browser.body(b.url("/get?name=cart"))).isEqualTo("three-items");
    // a change made on another thread after startAsync() is saved too
    assertThat(browser.body(a.url("/async?name=note&value=later"))).isEqualTo("async " + first);
    assertThat(browser.body(b.url("/get?name=note"))).isEqualTo("later");
    // the application's own web.xml filter runs after the Tether filter: it sees the Tether session
    assertThat(browser.get(b.url("/ping")).headers().firstValue("X-Filter-Session"))
        .contains(first);
    HttpResponse<String> error = browser.get(b.url("/boom"));
    assertThat(error.statusCode()).isEqualTo(500);
    assertThat(error.body())
        .isEqualTo("oops three-items"); // the error page sees the Tether session
    assertThat(error.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("JSESSIONID"));

    assertThat(browser.body(b.url("/rotate"))).isEqualTo(first + " -> " + browser.cookie());
    String second = browser.cookie();
    assertThat(second).isNotEqualTo(first);
    assertThat(browser.body(a.url("/get?name=cart"))).isEqualTo("three-items");
    Browser stale = new Browser("SHOP");
    stale.setCookie(first);
    assertThat(stale.body(a.url("/get?name=cart"))).isEqualTo("no session");

    // in the order the container keeps them: web.xml's listener, then the annotated one
    assertThat(browser.body(a.url("/events")))
        .isEqualTo("created " + first + "\nannotated created " + first);
    assertThat(browser.body(b.url("/events"))).isEqualTo("changed " + first + " " + second);
    browser.body(b.url("/invalidate"));
    assertThat(browser.body(b.url("/events")))
        .isEqualTo(
            "changed "
                + first
                + " "
                + second
                + "\nannotated destroyed "
                + second
                + "\ndestroyed "
                + second);
    assertThat(browser.body(a.url("/get?name=cart"))).isEqualTo("no session");
  }

  @Test
  void aSharedDirectoryCarriesTheSession() throws Exception {
    Path shared = Files.createDirectories(dir.resolve("sessions"));
    assertSharedAcrossTwoInstances(
        "store=file\nstore.directory=" + shared + "\ncookie.secure=false\n");
  }

  @Test
  void postgresCarriesTheSessionWithThePasswordFromTheEnvironment() throws Exception {
    String[] pg = Services.postgres();
    String prefix = "dropin_" + UUID.randomUUID().toString().substring(0, 8) + "_";
    assertSharedAcrossTwoInstances(
        "store=jdbc\nstore.url="
            + pg[0]
            + "\nstore.user="
            + pg[1]
            + "\nstore.password-env=TETHER_TEST_PG_PASSWORD\nstore.table-prefix="
            + prefix
            + "\ncookie.secure=false\n");
  }

  @Test
  void theCookieStoreCarriesTheSessionInTheBrowserAndALogoutHoldsThroughRedis() throws Exception {
    String redis = Services.redis();
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    String keys = "k1:" + java.util.Base64.getEncoder().encodeToString(key);
    String props =
        "store=cookie\nstore.keys="
            + keys
            + "\nstore.revocation-store=redis\nstore.revocation.uri="
            + redis
            + "\nstore.revocation.key-prefix=tether:dropin-cookie:"
            + UUID.randomUUID()
            + ":\ncookie.secure=false\n";
    assertSharedAcrossTwoInstances(props);

    Instance a = jetty("three", props);
    Instance b = jetty("four", props);
    Browser browser = new Browser("TSESSION");
    assertThat(browser.body(a.url("/set?name=cart&value=one-item"))).startsWith("ok ");
    String copied = browser.cookie();
    assertThat(copied.length()).as("the sealed session, not an id").isGreaterThan(43);
    assertThat(browser.body(b.url("/invalidate"))).isEqualTo("invalidated");
    Browser thief = new Browser("TSESSION");
    thief.setCookie(copied);
    assertThat(thief.body(a.url("/get?name=cart")))
        .as("a cookie from before the logout")
        .isEqualTo("no session");
  }

  private void assertSharedAcrossTwoInstances(String props) throws Exception {
    Instance a = jetty("one", props);
    Instance b = jetty("two", props);
    assertThat(a.app().isAvailable()).as("started").isTrue();
    Browser browser = new Browser("TSESSION");
    assertThat(browser.body(a.url("/set?name=cart&value=two-items"))).startsWith("ok ");
    assertThat(browser.body(b.url("/get?name=cart"))).isEqualTo("two-items");
    browser.body(b.url("/rotate"));
    assertThat(browser.body(a.url("/get?name=cart"))).isEqualTo("two-items");
  }

  @Test
  void theSessionTimeoutOfWebXmlIsTheIdleTimeout() throws Exception {
    Instance a = jetty("timeout", "store=memory\ncookie.secure=false\n");
    Object manager =
        a.app().getServletContext().getAttribute(TetherSessionInitializer.MANAGER_ATTRIBUTE);
    assertThat(manager).isNotNull();
    // the webapp's own copy of SessionManager, so reflectively; 20 is the sample's
    // <session-timeout>
    Object policy = manager.getClass().getMethod("policy").invoke(manager);
    assertThat(policy.getClass().getMethod("idleTimeout").invoke(policy))
        .isEqualTo(Duration.ofMinutes(20));
  }

  @Test
  void aBadValueAnUnknownKeyAndAnUnreachableRedisLeaveTheApplicationUnavailable() throws Exception {
    int closed = FreePorts.loopback(1).get(0);
    assertUnavailable(
        jetty("bad", "store=memory\nidle-timeout=soon\n"),
        "bad/WEB-INF/classes/tether-session.properties:2: key 'idle-timeout' is 'soon': allowed: a duration such as 30m");
    assertUnavailable(
        jetty("unknown", "store=redis\nstore.urii=redis://127.0.0.1:6379\n"),
        "unknown/WEB-INF/classes/tether-session.properties:2: unknown key 'store.urii' for store 'redis'; did you mean 'store.uri'?");
    assertUnavailable(
        jetty("unreachable", "store=redis\nstore.uri=redis://127.0.0.1:" + closed + "\n"),
        "store 'redis' cannot be opened with store.uri=redis://127.0.0.1:" + closed);
  }

  private static void assertUnavailable(Instance i, String message) {
    assertThat(i.app().isAvailable()).isFalse();
    assertThat(i.app().getUnavailableException()).hasMessageContaining(message);
    HttpResponse<String> r = new Browser("TSESSION").get(i.url("/ping"));
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).doesNotContain("pong");
  }
}
