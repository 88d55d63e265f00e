package dev.tether.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tether.testing.browser.Chromium;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The dashboard in headless Chromium against an admin API that also serves the analytics endpoints
 * ({@code /api/pools/{pool}/sessions}, {@code /api/alerts}) and demo mode ({@code
 * /api/demo/instances}), answering with the JSON shapes of the admin contract: the page must use
 * them when they are there. The API here is a scripted one (the page's files are the real ones),
 * because this module's balancer does not serve those endpoints itself.
 */
class DashboardAnalyticsBrowserTest {

  private static final Path SHOTS = Path.of("target", "screenshots");
  private final ObjectMapper json = new ObjectMapper();
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final DashboardAssets assets = DashboardAssets.load(json);
  private final AtomicLong polls = new AtomicLong();
  private final Map<String, Boolean> running =
      new ConcurrentHashMap<>(Map.of("s1", true, "s2", true, "s3", true));
  private final Map<String, String> states =
      new ConcurrentHashMap<>(Map.of("s1", "UP", "s2", "UP", "s3", "UP"));
  private final List<String> posts = new CopyOnWriteArrayList<>();
  private HttpServer api;
  private ChromeDriver browser;

  @BeforeEach
  void start() throws IOException {
    api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    api.setExecutor(executor);
    api.createContext("/", this::handle);
    api.start();
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    api.stop(0);
    executor.close();
  }

  private static final String CSRF = "csrf-token-of-the-fake-api";

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      if (DashboardAssets.owns(path)) {
        assets.serve(ex);
        return;
      }
      if (ex.getRequestMethod().equals("POST")) {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!CSRF.equals(
            ex.getRequestHeaders().getFirst("X-Tether-CSRF"))) { // as the admin API does
          byte[] no = "{\"error\": \"no CSRF token\"}".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(403, no.length);
          ex.getResponseBody().write(no);
          return;
        }
        posts.add(path + " " + ex.getRequestHeaders().getFirst("Content-Type") + " " + body);
      }
      String[] p = path.substring(1).split("/");
      switch (path) {
        case "/api/pools" ->
            send(
                ex,
                Map.of(
                    "pools",
                    List.of(
                        pool("shop", "least-requests", "cookie"),
                        pool("api", "round-robin", "none"))));
        case "/api/pools/shop/servers" -> send(ex, Map.of("pool", "shop", "servers", servers()));
        case "/api/pools/shop/sessions" -> send(ex, sessions());
        case "/api/csrf" -> send(ex, Map.of("token", CSRF, "header", "X-Tether-CSRF"));
        case "/api/alerts" ->
            send(
                ex,
                Map.of(
                    "alerts",
                    List.of(
                        Map.of(
                            "rule",
                            "spread-imbalance",
                            "name",
                            "shop-imbalance",
                            "pool",
                            "shop",
                            "since",
                            "2026-12-02T19:30:00Z",
                            "value",
                            2.4,
                            "threshold",
                            2.0,
                            "message",
                            "pool shop: live sessions max/mean 2.4 above 2.0 for 30s"))));
        case "/api/demo/instances" ->
            send(
                ex,
                Map.of(
                    "instances",
                    running.entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .map(
                            e ->
                                Map.of(
                                    "name",
                                    e.getKey(),
                                    "address",
                                    "127.0.0.1:1808" + e.getKey().charAt(1),
                                    "running",
                                    e.getValue()))
                        .toList()));
        default -> {
          if (p.length == 5
              && p[1].equals("demo")
              && (p[4].equals("kill") || p[4].equals("start"))) {
            running.put(p[3], p[4].equals("start"));
            states.put(p[3], p[4].equals("start") ? "UP" : "DOWN");
            send(ex, Map.of("name", p[3], "running", p[4].equals("start")));
          } else if (p.length == 6 && p[5].equals("drain")) {
            states.put(p[4], "DRAINING");
            send(ex, Map.of("name", p[4], "state", "DRAINING"));
          } else {
            byte[] b = json.writeValueAsBytes(Map.of("error", "no such endpoint"));
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(404, b.length);
            ex.getResponseBody().write(b);
          }
        }
      }
    }
  }

  private static Map<String, Object> pool(String name, String algorithm, String affinity) {
    return Map.of(
        "name",
        name,
        "algorithm",
        algorithm,
        "affinity",
        affinity,
        "healthChecks",
        true,
        "servers",
        3,
        "up",
        3,
        "inFlight",
        2);
  }

  private List<Map<String, Object>> servers() {
    long n = polls.incrementAndGet();
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      String name = "s" + i;
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("name", name);
      s.put("address", "127.0.0.1:1808" + i);
      s.put("weight", 1);
      s.put("state", states.get(name));
      s.put("healthy", !states.get(name).equals("DOWN"));
      s.put("inFlight", i == 2 ? 2 : 0);
      s.put("completed", n * 20 * i);
      s.put("sessions", 10L * i);
      out.add(s);
    }
    return out;
  }

  /** A pool whose sessions drift a little on every poll, so the charts have a shape. */
  private Map<String, Object> sessions() {
    long n = polls.get();
    List<Map<String, Object>> servers = new ArrayList<>();
    int[] live = {14 + (int) (n % 4), 9 + (int) (n % 3), 19 + (int) (n % 5)};
    for (int i = 0; i < 3; i++) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("name", "s" + (i + 1));
      s.put("state", states.get("s" + (i + 1)));
      s.put("live", live[i]);
      s.put("requestsPerSecond", 10.0 + 2 * i + n % 3);
      s.put("errorsPerSecond", 0.0);
      s.put("latencyP50Ms", 1.1);
      s.put("latencyP99Ms", 3.0);
      s.put(
          "instance",
          i == 2
              ? null
              : Map.of(
                  "sessions", live[i] + 1, "sessionSizeP99Bytes", 512.0, "storeLatencyP99Ms", 0.4));
      servers.add(s);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pool", "shop");
    m.put("live", live[0] + live[1] + live[2]);
    m.put("birthRatePerSecond", 1.5 + (n % 4) * 0.25);
    m.put("imbalance", 1.2);
    m.put(
        "lifespanSeconds",
        Map.of(
            "count",
            10,
            "mean",
            30.0,
            "p50",
            25.0 + n % 3,
            "p90",
            50.0 + n % 4,
            "p99",
            60.0 + n % 5,
            "max",
            61.0 + n % 5));
    m.put("servers", servers);
    return m;
  }

  private void send(HttpExchange ex, Object body) throws IOException {
    byte[] b = json.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  private String text(String css) {
    return browser.findElement(By.cssSelector(css)).getText();
  }

  @Test
  void thePageShowsAnalyticsAlertsAndDemoControlsWhenTheApiHasThem() throws Exception {
    browser = Chromium.start(1440, 1320);
    browser.get("http://127.0.0.1:" + api.getAddress().getPort() + "/");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(polls.get()).isGreaterThanOrEqualTo(4);
              assertThat(browser.findElements(By.cssSelector("#chart-lifespan path.series")))
                  .hasSize(3);
            });
    assertThat(text("#pool-meta"))
        .isEqualTo("least-requests · affinity cookie · health checks on · 3 servers");
    assertThat(browser.findElements(By.cssSelector("#pool option")))
        .extracting(o -> o.getText())
        .containsExactly("shop", "api");
    assertThat(Integer.parseInt(text("#stat-sessions"))).isBetween(42, 51);
    assertThat(text("#stat-imbalance")).isEqualTo("1.20");
    assertThat(text("#stat-births")).matches("1\\.(50|75)|2\\.(00|25)");
    assertThat(text("tr[data-server='s3'] td:nth-child(8)")).matches("19|2[0-3]");
    assertThat(browser.findElements(By.cssSelector("#chart-spread path.series"))).hasSize(3);
    assertThat(browser.findElements(By.cssSelector("#chart-births path.series"))).hasSize(1);
    assertThat(text("#alerts"))
        .contains("shop-imbalance")
        .contains("pool shop: live sessions max/mean 2.4 above 2.0 for 30s");
    assertThat(browser.findElement(By.id("demo-badge")).isDisplayed()).isTrue();
    assertThat(
            browser
                .findElement(By.cssSelector("tr[data-server='s3'] button[data-action='start']"))
                .isEnabled())
        .isFalse();

    Files.createDirectories(SHOTS);
    Files.write(
        SHOTS.resolve("dashboard-analytics.png"), browser.getScreenshotAs(OutputType.BYTES));

    browser.findElement(By.cssSelector("tr[data-server='s3'] button[data-action='kill']")).click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> text("tr[data-server='s3'] td.state .badge").equals("DOWN"));
    assertThat(posts).containsExactly("/api/demo/instances/s3/kill application/json {}");
    assertThat(text("#events")).contains("ok kill instance s3 stopped");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                browser
                    .findElement(By.cssSelector("tr[data-server='s3'] button[data-action='start']"))
                    .isEnabled());
    assertThat(text("tr[data-server='s3'] td .health")).isEqualTo("failing");
    browser.findElement(By.cssSelector("tr[data-server='s1'] button[data-action='drain']")).click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> text("tr[data-server='s1'] td.state .badge").equals("DRAINING"));
    assertThat(posts).last().isEqualTo("/api/pools/shop/servers/s1/drain application/json {}");
    Files.write(
        SHOTS.resolve("dashboard-demo-actions.png"), browser.getScreenshotAs(OutputType.BYTES));

    List<String> severe = new ArrayList<>();
    for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
        severe.add(e.getMessage());
      }
    }
    assertThat(severe).isEmpty();
  }
}
