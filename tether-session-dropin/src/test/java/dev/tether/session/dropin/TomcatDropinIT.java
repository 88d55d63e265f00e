package dev.tether.session.dropin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.testing.net.FreePorts;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drop-in in a real Apache Tomcat 10.1 (its own process; {@link TomcatProcess}): the sample
 * application, unmodified, with only the drop-in jars and {@code tether-session.properties} in
 * {@code CATALINA_BASE/lib}.
 */
class TomcatDropinIT {

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  private final List<TomcatProcess> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(TomcatProcess::close);
  }

  private TomcatProcess tomcat(String name, String properties) throws Exception {
    TomcatProcess t = TomcatProcess.start(Services.catalinaHome(), dir.resolve(name), properties);
    started.add(t);
    return t;
  }

  @Test
  void twoTomcatsShareSessionsThroughRedisWithIdChangesListenersAndJsp() throws Exception {
    String redis = Services.redis();
    String props =
        "store=redis\nstore.uri="
            + redis
            + "\nstore.key-prefix=tether:dropin-it:"
            + UUID.randomUUID()
            + ":\ncookie.secure=false\n";
    TomcatProcess a = tomcat("a", props);
    TomcatProcess b = tomcat("b", props);
    assertThat(a.log())
        .doesNotContain("SEVERE")
        .contains(
            "tether-session: sessions of / kept in store 'redis' (near cache on), cookie TSESSION,"
                + " idle timeout PT20M, ")
        .containsPattern("[0-9]+ session listener\\(s\\) from Tomcat");
    Browser browser = new Browser("TSESSION");

    assertThat(browser.body(a.url("/peek"))).isEqualTo("no session");
    assertThat(browser.cookie()).isNull();

    HttpResponse<String> set = browser.get(a.url("/set?name=cart&value=three-items"));
    assertThat(set.statusCode()).isEqualTo(200);
    assertThat(set.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("JSESSIONID"));
    String first = browser.cookie();
    assertThat(first).isNotNull();
    assertThat(set.body()).isEqualTo("ok " + first);

    // the other Tomcat reads it, through a servlet and through JSP's implicit session
    assertThat(browser.body(b.url("/get?name=cart"))).isEqualTo("three-items");
    // a change made on another thread after startAsync() is saved too
    assertThat(browser.body(a.url("/async?name=note&value=later"))).isEqualTo("async " + first);
    assertThat(browser.body(b.url("/get?name=note"))).isEqualTo("later");
    // the application's own web.xml filter runs after the Tether filter: it sees the Tether session
    assertThat(browser.get(b.url("/ping")).headers().firstValue("X-Filter-Session"))
        .contains(first);
    assertThat(browser.body(b.url("/session.jsp?name=cart"))).isEqualTo("jsp three-items " + first);
    assertThat(browser.body(b.url("/peek"))).isEqualTo("session " + first);
    HttpResponse<String> error = browser.get(b.url("/boom"));
    assertThat(error.statusCode()).isEqualTo(500);
    assertThat(error.body())
        .isEqualTo("oops three-items"); // the error page sees the Tether session
    assertThat(error.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("JSESSIONID"));

    // changeSessionId() on b: a new cookie, the attribute kept, the old id dead on a
    assertThat(browser.body(b.url("/rotate"))).startsWith(first + " -> ");
    String second = browser.cookie();
    assertThat(second).isNotEqualTo(first);
    assertThat(browser.body(a.url("/get?name=cart"))).isEqualTo("three-items");
    assertThat(withCookie(first).body(a.url("/get?name=cart"))).isEqualTo("no session");

    // the web.xml-declared listener got its events, each on the instance where it happened
    assertThat(browser.body(a.url("/events")))
        .contains("created " + first, "annotated created " + first);
    assertThat(browser.body(b.url("/events"))).contains("changed " + first + " " + second);
    assertThat(browser.body(a.url("/invalidate"))).isEqualTo("invalidated");
    assertThat(browser.body(a.url("/events")))
        .contains("annotated destroyed " + second)
        .endsWith("\ndestroyed " + second);
    assertThat(browser.body(b.url("/get?name=cart"))).isEqualTo("no session");

    // stopping Tomcat stops the application, which closes the store: no thread left behind
    a.close();
    assertThat(a.log())
        .contains("Destroying ProtocolHandler")
        .doesNotContain("failed to stop it", "memory leak");
  }

  private static Browser withCookie(String id) {
    Browser b = new Browser("TSESSION");
    b.setCookie(id);
    return b;
  }

  @Test
  void theFileNamedByTheEnvironmentWithAnOverrideFromTheEnvironment() throws Exception {
    Path file =
        Files.writeString(
            Files.createDirectories(dir.resolve("etc")).resolve("sessions.properties"),
            "store=memory\ncookie.secure=false\ncookie.name=FROMFILE\n");
    TomcatProcess t =
        TomcatProcess.start(
            Services.catalinaHome(),
            dir.resolve("env"),
            null,
            Map.of(
                "TETHER_SESSION_CONFIG", file.toString(), "TETHER_SESSION_COOKIE_NAME", "FROMENV"));
    started.add(t);
    Browser browser = new Browser("FROMENV");
    assertThat(browser.body(t.url("/set?name=cart&value=one"))).isEqualTo("ok " + browser.cookie());
    assertThat(browser.cookie()).isNotNull();
    assertThat(browser.body(t.url("/get?name=cart"))).isEqualTo("one");
  }

  @Test
  void aPropertiesFileThatCannotBeParsedStopsTheApplication() throws Exception {
    TomcatProcess t = tomcat("bad", "store=memory\ncookie.name=\\uZZZZ\n");
    assertFailed(
        t,
        "tether-session: file:"
            + dir.resolve("bad/lib/tether-session.properties")
            + " is not a valid properties file: Malformed \\uxxxx encoding.");
  }

  @Test
  void anUnknownKeyStopsTheApplicationNamingTheNearestKey() throws Exception {
    TomcatProcess t = tomcat("unknown", "store=memory\ncookie.secure=false\ncooke.name=SHOP\n");
    assertFailed(
        t,
        "tether-session: file:"
            + dir.resolve("unknown/lib/tether-session.properties")
            + ":3: unknown key 'cooke.name'; did you mean 'cookie.name'?; allowed: [store, cookie.name,");
  }

  @Test
  void anUnreachableRedisStopsTheApplication() throws Exception {
    int closed = FreePorts.loopback(1).get(0);
    TomcatProcess t =
        tomcat("unreachable", "store=redis\nstore.uri=redis://127.0.0.1:" + closed + "\n");
    assertFailed(
        t, "store 'redis' cannot be opened with store.uri=redis://127.0.0.1:" + closed + ": ");
    assertThat(t.log())
        .contains("allowed: a store that is running and reachable with these settings");
  }

  /** The application did not start: Tomcat logged {@code message} and answers 404, not a page. */
  private static void assertFailed(TomcatProcess t, String message) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(t.log()).contains(message));
    assertThat(t.log()).contains("Context [] startup failed due to previous errors");
    HttpResponse<String> r = new Browser("TSESSION").get(t.url("/ping"));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).doesNotContain("pong");
  }
}
