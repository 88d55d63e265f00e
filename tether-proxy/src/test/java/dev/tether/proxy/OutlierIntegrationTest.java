package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tether.balance.Ejection;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Passive health checks end to end: {@link ControlPlane} from YAML in front of two real backends
 * and one that answers 503 to every request (its {@code /health} passes), over real sockets.
 */
@ExtendWith(LeakDetection.class)
class OutlierIntegrationTest {

  private static final String TOKEN = "0123456789abcdef-outlier";

  private final List<TestBackend> backends = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicLong badRequests = new AtomicLong();
  private HttpServer bad;
  private ControlPlane tether;

  private void start(String poolKeys) throws Exception {
    for (String n : List.of("s1", "s2")) {
      backends.add(TestBackend.start(n));
    }
    bad = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    bad.createContext(
        "/",
        ex -> {
          boolean health = ex.getRequestURI().getPath().equals("/health");
          if (!health) {
            badRequests.incrementAndGet();
          }
          byte[] body = (health ? "ok" : "overloaded").getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("X-Server", "bad");
          ex.sendResponseHeaders(health ? 200 : 503, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    bad.start();
    StringBuilder yaml =
        new StringBuilder("listen: 127.0.0.1:0\nworkers: 1\n")
            .append("admin: { listen: 127.0.0.1:0, token: ")
            .append(TOKEN)
            .append(" }\n")
            .append("pools:\n  web:\n")
            .append(poolKeys)
            .append("    servers:\n");
    for (TestBackend b : backends) {
      yaml.append("      - { name: ")
          .append(b.name())
          .append(", address: 127.0.0.1:")
          .append(b.port())
          .append(" }\n");
    }
    yaml.append("      - { name: bad, address: 127.0.0.1:")
        .append(bad.getAddress().getPort())
        .append(" }\n");
    yaml.append(extraServers);
    yamlHead = yaml.substring(0, yaml.indexOf("pools:\n  web:\n") + "pools:\n  web:\n".length());
    yamlServers = yaml.substring(yaml.indexOf("    servers:\n"));
    tether = ControlPlane.start(parse(poolKeys));
  }

  private String extraServers = "";
  private String yamlHead;
  private String yamlServers;

  /** The configuration with other pool keys and the same servers. */
  private TetherConfig parse(String poolKeys) throws Exception {
    return ConfigLoader.parse(
        yamlHead + poolKeys + yamlServers, "outlier.yaml", Map.<String, String>of()::get);
  }

  @AfterEach
  void stop() {
    if (tether != null) {
      tether.stop(Duration.ofSeconds(2));
    }
    backends.forEach(TestBackend::close);
    if (bad != null) {
      bad.stop(0);
    }
    http.close();
  }

  private Ejection ejection() {
    return tether.pool("web").snapshot().member("bad").ejection();
  }

  /** One GET through the proxy: its status and the backend that answered. */
  private Map.Entry<Integer, String> get() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.proxy().port() + "/"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return Map.entry(r.statusCode(), r.headers().firstValue("X-Server").orElse("(none)"));
  }

  private HttpResponse<String> admin(String path, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.admin().port() + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode adminJson(String path) throws Exception {
    HttpResponse<String> r = admin(path, TOKEN);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  private double counter(String name, String... tags) {
    Counter c = tether.analytics().registry().find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aServerAnswering503IsEjectedAfterItsThresholdGetsNothingWhileEjectedAndComesBack()
      throws Exception {
    start("    outlier: { consecutive-5xx: 3, base-ejection: 1s, max-ejection: 4s }\n");
    // round robin over s1, s2, bad: the 9th request is bad's 3rd 503, and its head ejects bad
    // before the (sequential) 10th request is picked
    Map<String, Integer> statuses = new HashMap<>();
    for (int i = 0; i < 9; i++) {
      Map.Entry<Integer, String> r = get();
      statuses.merge(r.getValue() + " " + r.getKey(), 1, Integer::sum);
    }
    assertThat(statuses).isEqualTo(Map.of("s1 200", 3, "s2 200", 3, "bad 503", 3));
    Ejection e = ejection();
    assertThat(e).as("ejected after exactly its threshold").isNotNull();
    assertThat(badRequests.get()).isEqualTo(3);
    assertThat(e.reason()).isEqualTo("3 consecutive 5xx responses (last 503)");
    assertThat(e.count()).isEqualTo(1);

    // the admin API shows it while it lasts
    JsonNode servers = adminJson("/api/pools/web/servers").get("servers");
    JsonNode shown = servers.get(2);
    assertThat(shown.get("name").asText()).isEqualTo("bad");
    assertThat(shown.get("state").asText()).as("not an operator state").isEqualTo("UP");
    assertThat(shown.get("ejected").get("reason").asText())
        .isEqualTo("3 consecutive 5xx responses (last 503)");
    assertThat(shown.get("ejected").get("count").asInt()).isEqualTo(1);
    assertThat(Instant.parse(shown.get("ejected").get("until").asText())).isEqualTo(e.until());
    assertThat(servers.get(0).get("ejected").isNull()).isTrue();
    JsonNode pool = adminJson("/api/pools").get("pools").get(0);
    assertThat(pool.get("ejected").asInt()).isEqualTo(1);
    assertThat(pool.get("panic").asBoolean())
        .as("2 of 3 healthy is above the 50% default")
        .isFalse();
    assertThat(admin("/api/pools/web/servers", null).statusCode()).isEqualTo(401);
    assertThat(admin("/api/pools/web/servers", "wrong-token-wrong-token").statusCode())
        .isEqualTo(401);
    assertThat(counter("tether.outlier.ejections", "pool", "web", "server", "bad", "reason", "5xx"))
        .isEqualTo(1);

    // while ejected it gets nothing: count only requests answered before its deadline, so a slow
    // machine cannot blur the window
    int during = 0;
    while (Instant.now().isBefore(e.until()) && during < 30) {
      Map.Entry<Integer, String> r = get();
      if (Instant.now().isBefore(e.until())) {
        assertThat(r.getKey()).isEqualTo(200);
        assertThat(r.getValue()).isIn("s1", "s2");
        during++;
      }
    }
    assertThat(during).as("requests answered while ejected").isGreaterThan(0);
    assertThat(badRequests.get()).as("the ejected server received no request").isEqualTo(3);

    // it returns after its time, takes requests again, and is ejected again for twice as long
    await().atMost(Duration.ofSeconds(10)).until(() -> ejection() == null);
    assertThat(counter("tether.outlier.returns", "pool", "web", "server", "bad", "cause", "time"))
        .isEqualTo(1);
    // in a tight loop: a full base time in service would decay the backoff row (tested with a fake
    // clock in OutlierDetectorTest)
    for (int i = 0; i < 9 && ejection() == null; i++) {
      get();
    }
    assertThat(ejection()).isNotNull();
    assertThat(badRequests.get()).isEqualTo(6);
    Ejection second = ejection();
    assertThat(second.count()).isEqualTo(2);
    assertThat(
            adminJson("/api/pools/web/servers")
                .get("servers")
                .get(2)
                .get("ejected")
                .get("count")
                .asInt())
        .isEqualTo(2);
  }

  @Test
  void aPassingActiveCheckReturnsAnEjectedServerAtOnce() throws Exception {
    start(
        "    outlier: { consecutive-5xx: 2, base-ejection: 10m, max-ejection: 10m }\n"
            + "    health: { path: /health, interval: 200ms, timeout: 200ms, rise: 1, fall: 1 }\n");
    // the ejection lasts ten minutes; only the passing /health probe can end it within the wait
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              get();
              return counter("tether.outlier.ejections", "server", "bad") >= 1;
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                counter(
                        "tether.outlier.returns",
                        "pool",
                        "web",
                        "server",
                        "bad",
                        "cause",
                        "active-check")
                    >= 1);
    assertThat(tether.pool("web").snapshot().member("bad").state().name()).isEqualTo("UP");
  }

  @Test
  void panicModeSpreadsOverEveryServerWhenTooFewAreHealthy() throws Exception {
    // threshold 100%: one ejected server puts the pool in panic, so the ejected one is used anyway
    start(
        "    outlier: { consecutive-5xx: 1, base-ejection: 10m, max-ejection: 10m }\n    panic-threshold: 100%\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              get();
              return ejection() != null;
            });
    assertThat(tether.pool("web").snapshot().panic()).isTrue();
    assertThat(adminJson("/api/pools").get("pools").get(0).get("panic").asBoolean()).isTrue();
    long before = badRequests.get();
    for (int i = 0; i < 6; i++) {
      get();
    }
    assertThat(badRequests.get())
        .as("in panic the ejected server takes its share")
        .isEqualTo(before + 2);
    assertThat(tether.admin()).isNotNull();
    HttpResponse<String> metrics = admin("/metrics", TOKEN);
    assertThat(metrics.body())
        .contains("tether_pool_panic{pool=\"web\"} 1.0")
        .contains("tether_outlier_ejected{pool=\"web\"} 1.0");
  }

  @Test
  void aReloadKeepsEjectionsUnlessItChangesOrDropsTheOutlierSection() throws Exception {
    String keys = "    outlier: { consecutive-5xx: 1, base-ejection: 10m, max-ejection: 10m }\n";
    start(keys);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              get();
              return ejection() != null;
            });
    Ejection e = ejection();
    tether.reload(parse(keys));
    assertThat(ejection()).as("same pool, same settings: the ejection stays").isEqualTo(e);
    assertThat(tether.pool("web").panicThreshold()).isEqualTo(50);

    tether.reload(parse("    panic-threshold: 20%\n"));
    assertThat(ejection()).as("outlier detection dropped: its ejections end").isNull();
    assertThat(tether.outlierDetector("web")).isNull();
    assertThat(tether.pool("web").panicThreshold()).isEqualTo(20);
    long before = badRequests.get();
    for (int i = 0; i < 6; i++) {
      get();
    }
    assertThat(badRequests.get()).as("nothing ejects it any more").isEqualTo(before + 2);
  }

  @Test
  void connectFailuresEjectADeadServerWhileTheRetryHidesThemFromClients() throws Exception {
    int deadPort = dev.tether.testing.net.FreePorts.loopback(1).getFirst();
    extraServers = "      - { name: dead, address: 127.0.0.1:" + deadPort + " }\n";
    start(
        "    outlier: { consecutive-connect-failures: 2, consecutive-5xx: 0, base-ejection: 10m, max-ejection: 10m }\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              get();
              return tether.pool("web").snapshot().member("dead").ejected();
            });
    assertThat(tether.pool("web").snapshot().member("dead").ejection().reason())
        .isEqualTo("2 consecutive connect failures");
    assertThat(counter("tether.outlier.ejections", "server", "dead", "reason", "connect-failure"))
        .isEqualTo(1);
    assertThat(ejection()).as("5xx detection is off").isNull();
  }
}
