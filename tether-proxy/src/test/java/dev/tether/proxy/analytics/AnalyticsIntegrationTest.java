package dev.tether.proxy.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tether.proxy.analytics.PrometheusText.Sample;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Session analytics end to end over real sockets: a {@link ControlPlane} from YAML with an admin
 * section in front of real backends (three {@link TestBackend}s with cookie affinity and health
 * checks, and one app instance serving its session metrics as Prometheus text), an alert rule
 * posting to a webhook receiver in this test.
 */
@ExtendWith(LeakDetection.class)
class AnalyticsIntegrationTest {

  private final List<TestBackend> backends = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private final List<JsonNode> hooks = new CopyOnWriteArrayList<>();
  private HttpServer receiver;
  private HttpServer instance;
  private ControlPlane tether;

  @BeforeEach
  void start() throws Exception {
    for (String n : List.of("s1", "s2", "s3")) {
      backends.add(TestBackend.start(n));
    }
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        ex -> {
          hooks.add(json.readTree(ex.getRequestBody().readAllBytes()));
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    receiver.start();
    instance = appInstance();
    StringBuilder servers = new StringBuilder();
    for (TestBackend b : backends) {
      servers
          .append("      - { name: ")
          .append(b.name())
          .append(", address: ")
          .append(b.address())
          .append(" }\n");
    }
    String yaml =
        "listen: 127.0.0.1:0\nworkers: 1\nadmin: { listen: 127.0.0.1:0 }\n"
            + "pools:\n  web:\n    affinity: { mode: cookie }\n"
            + "    health: { path: /health, interval: 500ms, timeout: 500ms, rise: 1, fall: 2 }\n"
            + "    instance-metrics: { path: /tether/metrics, interval: 200ms, timeout: 200ms }\n"
            + "    servers:\n"
            + servers
            + "  app:\n    instance-metrics: { path: /tether/metrics, interval: 200ms, timeout: 200ms }\n"
            + "    servers: [ { name: i1, address: 127.0.0.1:"
            + instance.getAddress().getPort()
            + " } ]\n"
            + "routes: [ { path-prefix: /app, pool: app }, { path-prefix: /, pool: web } ]\n"
            + "alerts:\n  interval: 100ms\n"
            + "  webhook: { url: \"http://127.0.0.1:"
            + receiver.getAddress().getPort()
            + "/hook\", attempts: 3, backoff: 100ms }\n"
            + "  rules:\n    - { name: web-down, kind: server-down, pool: web, for: 300ms }\n";
    tether =
        ControlPlane.start(
            ConfigLoader.parse(yaml, "analytics.yaml", Map.<String, String>of()::get));
  }

  /**
   * An app instance as the session library exports it: Micrometer's Prometheus text of its session
   * meters.
   */
  private static HttpServer appInstance() throws Exception {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Gauge.builder("tether.sessions.active", new AtomicLong(15), AtomicLong::get)
        .strongReference(true)
        .register(r);
    DistributionSummary size =
        DistributionSummary.builder("tether.sessions.size")
            .baseUnit("bytes")
            .publishPercentileHistogram()
            .minimumExpectedValue(16.0)
            .maximumExpectedValue(4.0 * 1024 * 1024)
            .register(r);
    Timer save =
        Timer.builder("tether.sessions.store.latency")
            .tag("operation", "save")
            .publishPercentileHistogram()
            .register(r);
    for (int i = 0; i < 50; i++) {
      size.record(500);
      save.record(Duration.ofMillis(2));
    }
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext(
        "/",
        ex -> {
          byte[] body =
              (ex.getRequestURI().getPath().equals("/tether/metrics") ? r.scrape() : "ok\n")
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    s.start();
    return s;
  }

  @AfterEach
  void stop() {
    tether.stop(Duration.ofSeconds(2));
    backends.forEach(TestBackend::close);
    receiver.stop(0);
    instance.stop(0);
    http.close();
  }

  private HttpResponse<String> get(int port, String path, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode admin(String path) throws Exception {
    HttpResponse<String> r = get(tether.admin().port(), path, null);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  private List<Sample> metrics() throws Exception {
    return PrometheusText.parse(get(tether.admin().port(), "/metrics", null).body());
  }

  private static double value(List<Sample> samples, String name, Map<String, String> labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(Sample::value)
        .findFirst()
        .orElse(Double.NaN);
  }

  @Test
  void metricsAndTheSessionsReportMoveWithCookieClients() throws Exception {
    URI proxy = URI.create("http://127.0.0.1:" + tether.proxy().port());
    // Nine clients from nine loopback addresses (first requests from one address within a second
    // share a server), each bound to the server that answered its first request.
    List<HttpClient> clients = new ArrayList<>();
    List<String> cookies = new ArrayList<>();
    Map<String, Integer> sessions = new java.util.TreeMap<>(Map.of("s1", 0, "s2", 0, "s3", 0));
    Map<String, Integer> requests = new java.util.TreeMap<>(Map.of("s1", 0, "s2", 0, "s3", 0));
    try {
      for (int i = 0; i < 9; i++) {
        HttpClient c =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .localAddress(InetAddress.getByName("127.0.0." + (10 + i)))
                .build();
        clients.add(c);
        HttpResponse<String> r =
            c.send(
                HttpRequest.newBuilder(proxy.resolve("/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        cookies.add(r.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0]);
        String server = r.headers().firstValue("X-Server").orElseThrow();
        sessions.merge(server, 1, Integer::sum);
        requests.merge(server, 2, Integer::sum); // this one and the sticky one below
      }
      for (int i = 0; i < 9; i++) {
        HttpResponse<String> r =
            clients
                .get(i)
                .send(
                    HttpRequest.newBuilder(proxy.resolve("/"))
                        .header("Cookie", cookies.get(i))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
      }
      HttpResponse<String> err =
          clients
              .getFirst()
              .send(
                  HttpRequest.newBuilder(proxy.resolve("/status?code=500"))
                      .header("Cookie", cookies.getFirst())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(err.statusCode()).isEqualTo(500);
      requests.merge(err.headers().firstValue("X-Server").orElseThrow(), 1, Integer::sum);
    } finally {
      clients.forEach(HttpClient::close);
    }

    double imbalance = java.util.Collections.max(sessions.values()) / 3.0;
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<Sample> m = metrics();
              for (String s : List.of("s1", "s2", "s3")) {
                assertThat(
                        value(
                            m,
                            "tether_server_request_duration_seconds_count",
                            Map.of("pool", "web", "server", s)))
                    .as("requests of " + s)
                    .isEqualTo(requests.get(s).doubleValue());
                assertThat(
                        value(
                            m,
                            "tether_affinity_server_sessions",
                            Map.of("pool", "web", "server", s)))
                    .as("sessions of " + s)
                    .isEqualTo(sessions.get(s).doubleValue());
              }
              double s1 =
                  value(
                      m,
                      "tether_server_request_duration_seconds_count",
                      Map.of("pool", "web", "server", "s1"));
              assertThat(
                      value(
                          m,
                          "tether_server_request_duration_seconds_bucket",
                          Map.of("pool", "web", "le", "+Inf", "server", "s1")))
                  .isEqualTo(s1);
              assertThat(
                      m.stream()
                          .filter(
                              s ->
                                  s.name().equals("tether_server_request_duration_seconds_bucket")
                                      && "s1".equals(s.labels().get("server")))
                          .count())
                  .isEqualTo(ServerTraffic.LATENCY_BUCKETS.length + 1);
              assertThat(
                      m.stream()
                          .filter(
                              s ->
                                  s.name().equals("tether_server_errors_total")
                                      && s.labels().get("pool").equals("web"))
                          .mapToDouble(Sample::value)
                          .sum())
                  .isEqualTo(1);
              assertThat(value(m, "tether_affinity_session_births_total", Map.of("pool", "web")))
                  .isEqualTo(9);
              assertThat(value(m, "tether_affinity_session_imbalance", Map.of("pool", "web")))
                  .isCloseTo(imbalance, within(1e-9));
            });

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode web = admin("/api/pools/web/sessions");
              assertThat(web.get("pool").asText()).isEqualTo("web");
              assertThat(web.get("live").asLong()).isEqualTo(9);
              assertThat(web.get("birthRatePerSecond").asDouble()).isPositive();
              assertThat(web.get("imbalance").asDouble()).isCloseTo(imbalance, within(0.001));
              assertThat(web.get("lifespanSeconds").get("count").asLong()).isZero();
              assertThat(web.get("servers")).hasSize(3);
              JsonNode s1 = web.get("servers").get(0);
              assertThat(s1.get("name").asText()).isEqualTo("s1");
              assertThat(s1.get("state").asText()).isEqualTo("UP");
              assertThat(s1.get("live").asLong()).isEqualTo(sessions.get("s1").longValue());
              assertThat(s1.get("requestsPerSecond").asDouble()).isNotNegative();
              JsonNode busiest =
                  web.get("servers")
                      .get(
                          requests.entrySet().stream()
                                  .max(Map.Entry.comparingByValue())
                                  .orElseThrow()
                                  .getKey()
                                  .charAt(1)
                              - '1');
              assertThat(busiest.get("requestsPerSecond").asDouble()).isPositive();
              assertThat(busiest.get("latencyP99Ms").asDouble()).isPositive();
              assertThat(s1.has("errorsPerSecond")).isTrue();
              assertThat(s1.get("instance").isNull())
                  .as("a TestBackend serves no session metrics")
                  .isTrue();
            });

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode i1 = admin("/api/pools/app/sessions").get("servers").get(0).get("instance");
              assertThat(i1.get("sessions").asLong()).isEqualTo(15);
              assertThat(i1.get("sessionSizeP99Bytes").asDouble()).isBetween(448.0, 512.0);
              assertThat(i1.get("storeLatencyP99Ms").asDouble()).isBetween(1.9, 2.3);
              List<Sample> m = metrics();
              assertThat(
                      value(m, "tether_instance_sessions", Map.of("pool", "app", "server", "i1")))
                  .isEqualTo(15);
              assertThat(
                      value(
                          m,
                          "tether_instance_session_size_bytes",
                          Map.of("pool", "app", "server", "i1")))
                  .isBetween(448.0, 512.0);
              assertThat(
                      value(
                          m,
                          "tether_instance_store_latency_seconds",
                          Map.of("pool", "app", "server", "i1")))
                  .isBetween(0.0019, 0.0023);
            });
    assertThat(get(tether.admin().port(), "/api/pools/nope/sessions", null).statusCode())
        .isEqualTo(404);
  }

  @Test
  void aServerDownAlertFiresAndResolvesThroughTheWebhook() throws Exception {
    assertThat(admin("/api/alerts").get("alerts")).isEmpty();
    backends.get(1).healthy(false);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode alerts = admin("/api/alerts").get("alerts");
              assertThat(alerts).hasSize(1);
              JsonNode a = alerts.get(0);
              assertThat(a.get("rule").asText()).isEqualTo("server-down");
              assertThat(a.get("name").asText()).isEqualTo("web-down");
              assertThat(a.get("pool").asText()).isEqualTo("web");
              assertThat(a.get("server").asText()).isEqualTo("s2");
              assertThat(a.get("since").asText()).endsWith("Z");
              assertThat(a.get("threshold").isNull()).isTrue();
              assertThat(a.get("message").asText()).startsWith("pool web: server s2 is DOWN for ");
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> hooks.size() == 1);
    JsonNode fired = hooks.getFirst();
    assertThat(fired.get("status").asText()).isEqualTo("firing");
    assertThat(fired.get("name").asText()).isEqualTo("web-down");
    assertThat(fired.get("server").asText()).isEqualTo("s2");

    backends.get(1).healthy(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> hooks.size() == 2);
    JsonNode resolved = hooks.get(1);
    assertThat(resolved.get("status").asText()).isEqualTo("resolved");
    assertThat(resolved.get("server").asText()).isEqualTo("s2");
    assertThat(resolved.get("since").asText()).isEqualTo(fired.get("since").asText());
    assertThat(resolved.get("resolvedAt").asText()).endsWith("Z");
    assertThat(admin("/api/alerts").get("alerts")).isEmpty();
    // exactly once each: nothing more arrives while the server stays up
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> hooks.size() == 2);
  }
}
