package dev.tether.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.balance.ServerState;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.browser.Chromium;
import dev.tether.testing.leak.LeakDetection;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The dashboard in a real browser (headless Chromium): {@link ControlPlane} with three
 * health-checked backends and an admin section, the page opened from the admin port, its buttons
 * clicked, the effect checked in the page and in where the proxy sends traffic. Screenshots go to
 * {@code target/screenshots/}.
 */
@ExtendWith(LeakDetection.class)
class DashboardBrowserTest {

  private static final String TOKEN = "browser-test-token-0123456789";
  private static final Path SHOTS = Path.of("target", "screenshots");

  private final List<TestBackend> backends = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ControlPlane tether;
  private ChromeDriver browser;

  @BeforeEach
  void backends() {
    for (String n : List.of("s1", "s2", "s3")) {
      backends.add(TestBackend.start(n));
    }
  }

  @AfterEach
  void stop(TestInfo test) throws Exception {
    try {
      if (browser != null) {
        screenshot("end-of-" + test.getTestMethod().orElseThrow().getName());
      }
    } finally {
      if (browser != null) {
        browser.quit();
      }
      if (tether != null) {
        tether.stop(Duration.ofSeconds(2));
      }
      backends.forEach(TestBackend::close);
      http.close();
    }
  }

  private void startTether(String token) throws Exception {
    startTether(token, "");
  }

  private void startTether(String token, String poolKeys) throws Exception {
    StringBuilder servers = new StringBuilder();
    for (TestBackend b : backends) {
      servers
          .append("      - { name: ")
          .append(b.name())
          .append(", address: ")
          .append(b.address())
          .append(" }\n");
    }
    String admin =
        token == null
            ? "admin: { listen: 127.0.0.1:0 }\n"
            : "admin: { listen: 127.0.0.1:0, token: " + token + " }\n";
    String yaml =
        "listen: 127.0.0.1:0\nworkers: 1\n"
            + admin
            + "pools:\n  web:\n"
            + poolKeys
            + "    health: { path: /health, interval: 300ms, timeout: 300ms, rise: 1, fall: 2 }\n"
            + "    servers:\n"
            + servers;
    tether =
        ControlPlane.start(ConfigLoader.parse(yaml, "browser.yaml", Map.<String, String>of()::get));
    browser = Chromium.start(1440, 1320);
    browser.get("http://127.0.0.1:" + tether.admin().port() + "/");
  }

  /** Which backend served each of {@code n} fresh-session requests through the proxy. */
  private Map<String, Integer> spread(int n) throws Exception {
    return TestBackend.servedBy(
        http, URI.create("http://127.0.0.1:" + tether.proxy().port() + "/"), n);
  }

  private String cell(String server, String css) {
    // read in one script: the page re-renders every poll, so a found element may be gone a moment
    // later
    Object text =
        browser.executeScript(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
            "tr[data-server='" + server + "'] " + css);
    return String.valueOf(text).trim();
  }

  private String badge(String server) {
    return cell(server, "td.state .badge");
  }

  private double requestsPerSecond(String server) {
    String text = cell(server, "td:nth-child(7)");
    return text.isEmpty() || text.equals("–") ? -1 : Double.parseDouble(text.replace(",", ""));
  }

  private void click(String server, String action) {
    browser
        .findElement(
            By.cssSelector("tr[data-server='" + server + "'] button[data-action='" + action + "']"))
        .click();
  }

  private void awaitAllUp() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(browser.findElements(By.cssSelector("#servers tbody tr"))).hasSize(3);
              for (String s : List.of("s1", "s2", "s3")) {
                assertThat(badge(s)).as(s).isEqualTo("UP");
                assertThat(cell(s, "td .health")).as(s).isEqualTo("passing");
              }
            });
  }

  private Path screenshot(String name) throws Exception {
    Files.createDirectories(SHOTS);
    Path file = SHOTS.resolve(name + ".png");
    Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
    return file;
  }

  /**
   * The browser console, minus what the page provokes on purpose: the 404 of the demo-mode endpoint
   * it probes (this balancer runs no demo), and, when {@code allow401}, the 401 that makes it ask
   * for the token.
   */
  private List<String> consoleErrors(boolean allow401) {
    List<String> errors = new ArrayList<>();
    for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() < Level.SEVERE.intValue()) {
        continue;
      }
      String m = e.getMessage();
      boolean probed = m.contains("status of 404") && m.contains("/api/demo/instances");
      boolean prompt = allow401 && m.contains("/api/pools ") && m.contains("status of 401");
      if (!probed && !prompt) {
        errors.add(m);
      }
    }
    return errors;
  }

  @Test
  void drainingAServerFromThePageStopsItsNewTrafficAndEnablingBringsItBack() throws Exception {
    startTether(null);
    awaitAllUp();
    assertThat(browser.getTitle()).isEqualTo("Tether — web");
    assertThat(browser.findElement(By.id("login")).isDisplayed()).isFalse();

    // some traffic, until the page has seen every server serve
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              spread(6);
              return requestsPerSecond("s1") > 0
                  && requestsPerSecond("s2") > 0
                  && requestsPerSecond("s3") > 0
                  && ((Number)
                              browser.executeScript(
                                  "return [...document.querySelectorAll('#chart-rps path.series')]"
                                      + ".filter((p) => (p.getAttribute('d') || '').includes('L')).length;"))
                          .intValue()
                      == 3;
            });
    assertThat(browser.findElement(By.id("stat-up")).getText()).isEqualTo("3 / 3");
    // the balancer serves the analytics now: a pool without affinity binds no sessions
    assertThat(browser.findElement(By.id("stat-sessions")).getText())
        .as("no affinity, no sessions")
        .isEqualTo("0");
    assertThat(browser.findElement(By.id("alerts")).getText()).contains("No active alerts.");
    screenshot("dashboard");

    click("s2", "drain");
    await().atMost(Duration.ofSeconds(10)).until(() -> badge("s2").equals("DRAINING"));
    assertThat(tether.pool("web").snapshot().member("s2").state()).isEqualTo(ServerState.DRAINING);
    assertThat(browser.findElement(By.id("events")).getText()).contains("ok drain s2 → DRAINING");
    assertThat(spread(12)).containsOnlyKeys("s1", "s3");
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              spread(4);
              return requestsPerSecond("s2") == 0 && requestsPerSecond("s1") > 0;
            });
    assertThat(
            browser
                .findElement(By.cssSelector("tr[data-server='s2'] button[data-action='drain']"))
                .isEnabled())
        .isFalse();
    // no affinity, so no sessions to wait for: the drain is done once nothing is in flight on s2
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cell("s2", "td.state .progress").equals("drain done"));
    Path drained = screenshot("dashboard-draining");

    click("s2", "enable");
    await().atMost(Duration.ofSeconds(10)).until(() -> badge("s2").equals("UP"));
    assertThat(cell("s2", "td.state .progress")).as("no drain, no progress line").isEmpty();
    assertThat(spread(12)).containsKey("s2");
    assertThat(browser.findElement(By.id("events")).getText()).contains("ok enable s2 → UP");

    // a server the passive checks ejected shows so, with the reason, over its unchanged state
    tether
        .pool("web")
        .eject(
            "s3",
            new dev.tether.balance.Ejection(
                java.time.Instant.now().plusSeconds(60),
                "5 consecutive 5xx responses (last 503)",
                1));
    await().atMost(Duration.ofSeconds(10)).until(() -> badge("s3").equals("EJECTED"));
    assertThat(
            browser
                .findElement(By.cssSelector("tr[data-server='s3'] td.state .badge"))
                .getAttribute("title"))
        .startsWith("5 consecutive 5xx responses (last 503); back at ");
    assertThat(browser.findElement(By.id("pool-meta")).getText()).contains("1 ejected");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> browser.findElement(By.id("stat-up")).getText().equals("2 / 3"));
    screenshot("dashboard-ejected");
    assertThat(consoleErrors(false)).isEmpty();
    assertThat(drained).exists();
  }

  @Test
  void aDrainingServerSaysWhatItStillWaitsFor() throws Exception {
    startTether(null, "    affinity: { mode: cookie }\n");
    awaitAllUp();
    // two sticky clients bound to s1 (each its own cookie jar; the first-request window keeps fresh
    // clients from this address together, so s1's first client may take a few tries)
    List<HttpClient> bound = new ArrayList<>();
    URI page = URI.create("http://127.0.0.1:" + tether.proxy().port() + "/");
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              HttpClient c =
                  HttpClient.newBuilder()
                      .version(HttpClient.Version.HTTP_1_1)
                      .cookieHandler(new java.net.CookieManager())
                      .build();
              String body =
                  c.send(
                          java.net.http.HttpRequest.newBuilder(page).build(),
                          java.net.http.HttpResponse.BodyHandlers.ofString())
                      .body();
              if (body.contains("s1")) {
                bound.add(c);
              } else {
                c.close();
              }
              return bound.size() == 2;
            });
    click("s1", "drain");
    await().atMost(Duration.ofSeconds(10)).until(() -> badge("s1").equals("DRAINING"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cell("s1", "td.state .progress").equals("waiting: 2 sessions"));
    screenshot("dashboard-drain-waiting");

    // s3's application asks through its health answers to be drained: the page says who asked
    backends.get(2).healthHeader("Tether-State", "drain");
    await().atMost(Duration.ofSeconds(10)).until(() -> badge("s3").equals("DRAINING"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> cell("s3", "td.state .agent").equals("agent: drain"));
    screenshot("dashboard-agent-drain");
    backends.get(2).healthHeader("Tether-State", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> badge("s3").equals("UP"));
    assertThat(cell("s3", "td.state .agent")).as("ready: nothing asked").isEmpty();
    assertThat(consoleErrors(false)).isEmpty();
    bound.forEach(HttpClient::close);
  }

  @Test
  void withATokenThePageAsksForItKeepsItInSessionStorageAndThenLoads() throws Exception {
    startTether(TOKEN);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> browser.findElement(By.id("login")).isDisplayed());
    assertThat(browser.findElement(By.id("main")).isDisplayed()).isFalse();
    WebElement field = browser.findElement(By.id("token"));
    assertThat(field.getAttribute("type")).isEqualTo("password");
    screenshot("dashboard-token");

    field.sendKeys("not-the-token");
    browser.findElement(By.id("login-submit")).click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> browser.findElement(By.id("login-error")).isDisplayed());
    assertThat(browser.findElement(By.id("login-error")).getText())
        .isEqualTo("That token was refused; try again.");

    browser.findElement(By.id("token")).sendKeys(TOKEN);
    browser.findElement(By.id("login-submit")).click();
    awaitAllUp();
    assertThat(browser.findElement(By.id("login")).isDisplayed()).isFalse();
    assertThat(browser.executeScript("return sessionStorage.getItem('tether.admin.token')"))
        .isEqualTo(TOKEN);
    assertThat(browser.executeScript("return document.cookie")).isEqualTo("");
    assertThat(browser.getCurrentUrl()).doesNotContain(TOKEN);
    assertThat(browser.manage().getCookies()).isEmpty();

    browser.navigate().refresh();
    awaitAllUp();
    assertThat(browser.findElement(By.id("login")).isDisplayed())
        .as("the tab keeps the token")
        .isFalse();
    assertThat(consoleErrors(true)).isEmpty();
  }
}
