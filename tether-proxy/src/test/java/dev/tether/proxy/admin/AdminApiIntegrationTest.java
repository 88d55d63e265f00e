package dev.tether.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin API over real HTTP: {@link ControlPlane} from YAML with an admin section and a token,
 * in front of real backends, driven with the JDK's HTTP client.
 */
@ExtendWith(LeakDetection.class)
class AdminApiIntegrationTest {

  private static final String TOKEN = "0123456789abcdef-admin";
  private final List<TestBackend> backends = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicReference<ControlPlane> tether = new AtomicReference<>();
  private final AtomicReference<String> nextYaml = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    for (String n : List.of("s1", "s2", "s3")) {
      backends.add(TestBackend.start(n));
    }
    tether.set(
        ControlPlane.start(
            config(backends),
            () -> {
              String yaml = nextYaml.get();
              if (yaml == null) {
                throw new IllegalArgumentException("test.yaml:1:1: nothing to reload");
              }
              if (yaml.equals("boom")) {
                throw new IllegalStateException("the reload broke");
              }
              tether.get().reload(parse(yaml));
            }));
  }

  @AfterEach
  void stop() {
    tether.get().stop(Duration.ofSeconds(2));
    backends.forEach(TestBackend::close);
    http.close();
  }

  private static String yaml(List<TestBackend> bs) {
    StringBuilder servers = new StringBuilder();
    for (TestBackend b : bs) {
      servers
          .append("      - { name: ")
          .append(b.name())
          .append(", address: 127.0.0.1:")
          .append(b.port())
          .append(" }\n");
    }
    return "listen: 127.0.0.1:0\nworkers: 1\nadmin: { listen: 127.0.0.1:0, token: "
        + TOKEN
        + " }\n"
        + "pools:\n  web:\n    servers:\n"
        + servers
        + "  sticky:\n    affinity: { mode: cookie }\n    servers:\n"
        + servers.substring(0, servers.indexOf("\n") + 1)
        + "routes:\n  - { path-prefix: /sticky, pool: sticky }\n  - { path-prefix: /, pool: web }\n";
  }

  private static TetherConfig config(List<TestBackend> bs) throws Exception {
    return parse(yaml(bs));
  }

  private static TetherConfig parse(String yaml) {
    try {
      return ConfigLoader.parse(yaml, "test.yaml", Map.<String, String>of()::get);
    } catch (Exception e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private HttpResponse<String> admin(String method, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.get().admin().port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode ok(String method, String path) throws Exception {
    HttpResponse<String> r = admin(method, path, TOKEN);
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    return json.readTree(r.body());
  }

  /** Which backend served each of {@code n} fresh-session requests through the proxy. */
  private Map<String, Integer> spread(int n) throws Exception {
    return TestBackend.servedBy(
        http, URI.create("http://127.0.0.1:" + tether.get().proxy().port() + "/"), n);
  }

  @Test
  void everyRequestNeedsTheToken() throws Exception {
    for (String token : new String[] {null, "wrong-token-wrong-token"}) {
      HttpResponse<String> r = admin("GET", "/api/pools", token);
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      assertThat(admin("GET", "/metrics", token).statusCode()).isEqualTo(401);
    }
    assertThat(admin("GET", "/api/pools", TOKEN).statusCode()).isEqualTo(200);
  }

  @Test
  void listsPoolsAndServersWithTheirLoad() throws Exception {
    spread(9);
    JsonNode pools = ok("GET", "/api/pools").get("pools");
    assertThat(pools).extracting(p -> p.get("name").asText()).containsExactly("web", "sticky");
    JsonNode web = pools.get(0);
    assertThat(web.get("algorithm").asText()).isEqualTo("round-robin");
    assertThat(web.get("affinity").asText()).isEqualTo("none");
    assertThat(pools.get(1).get("affinity").asText()).isEqualTo("cookie");
    assertThat(web.get("servers").asInt()).isEqualTo(3);
    assertThat(web.get("up").asInt()).isEqualTo(3);

    JsonNode servers = ok("GET", "/api/pools/web/servers").get("servers");
    assertThat(servers).extracting(s -> s.get("name").asText()).containsExactly("s1", "s2", "s3");
    long completed = 0;
    for (JsonNode s : servers) {
      assertThat(s.get("state").asText()).isEqualTo("UP");
      assertThat(s.get("address").asText()).startsWith("127.0.0.1:");
      assertThat(s.get("healthy").isNull()).as("no health checks configured").isTrue();
      completed += s.get("completed").asLong();
    }
    assertThat(completed).isEqualTo(9);
  }

  @Test
  void drainEnableAndDisableChangeWhereNewWorkGoes() throws Exception {
    JsonNode drained = ok("POST", "/api/pools/web/servers/s2/drain");
    assertThat(drained.get("state").asText()).isEqualTo("DRAINING");
    assertThat(spread(12)).containsOnlyKeys("s1", "s3");

    ok("POST", "/api/pools/web/servers/s3/disable");
    assertThat(spread(6)).containsOnlyKeys("s1");

    assertThat(ok("POST", "/api/pools/web/servers/s2/enable").get("state").asText())
        .isEqualTo("UP");
    ok("POST", "/api/pools/web/servers/s3/enable");
    assertThat(spread(12)).containsOnlyKeys("s1", "s2", "s3");
  }

  @Test
  void mistakesGetClearErrors() throws Exception {
    HttpResponse<String> pool = admin("GET", "/api/pools/nope/servers", TOKEN);
    assertThat(pool.statusCode()).isEqualTo(404);
    assertThat(json.readTree(pool.body()).get("error").asText())
        .isEqualTo("no pool 'nope'; pools: [web, sticky]");

    HttpResponse<String> server = admin("POST", "/api/pools/web/servers/s9/drain", TOKEN);
    assertThat(server.statusCode()).isEqualTo(404);
    assertThat(server.body()).contains("pool web has no server 's9'");

    HttpResponse<String> action = admin("POST", "/api/pools/web/servers/s1/reboot", TOKEN);
    assertThat(action.statusCode()).isEqualTo(404);
    assertThat(action.body()).contains("use drain, enable or disable");

    HttpResponse<String> method = admin("GET", "/api/pools/web/servers/s1/enable", TOKEN);
    assertThat(method.statusCode()).isEqualTo(405);
    assertThat(method.headers().firstValue("Allow")).contains("POST");

    HttpResponse<String> unknown = admin("GET", "/api/everything", TOKEN);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("GET /api/pools");
  }

  @Test
  void metricsArePrometheusTextWithPerServerCounts() throws Exception {
    spread(6);
    HttpResponse<String> r = admin("GET", "/metrics", TOKEN);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    HttpResponse<String> sticky =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + tether.get().proxy().port() + "/sticky"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(sticky.headers().firstValue("Set-Cookie")).isPresent();
    r = admin("GET", "/metrics", TOKEN);
    assertThat(r.body())
        .contains("tether_server_requests_total{pool=\"web\",server=\"s1\"} 2.0")
        .contains(
            "tether_affinity_decisions_total{mode=\"cookie\",outcome=\"new\",pool=\"sticky\"} 1.0")
        .contains("tether_server_up{pool=\"web\",server=\"s2\"} 1.0")
        .contains("tether_server_in_flight{pool=\"web\",server=\"s3\"} 0.0")
        .contains("tether_affinity_decisions_total{")
        .contains("jvm_memory_used_bytes");

    ok("POST", "/api/pools/web/servers/s2/disable");
    assertThat(admin("GET", "/metrics", TOKEN).body())
        .contains("tether_server_up{pool=\"web\",server=\"s2\"} 0.0");
  }

  @Test
  void reloadAppliesTheNewFileOrSaysWhatIsWrong() throws Exception {
    HttpResponse<String> bad = admin("POST", "/api/reload", TOKEN);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json.readTree(bad.body()).get("error").asText())
        .isEqualTo("test.yaml:1:1: nothing to reload");

    nextYaml.set("boom");
    HttpResponse<String> broken = admin("POST", "/api/reload", TOKEN);
    assertThat(broken.statusCode()).isEqualTo(500);
    assertThat(broken.body()).contains("the reload broke");
    assertThat(admin("GET", "/api/pools", TOKEN).statusCode()).as("still serving").isEqualTo(200);

    backends.add(TestBackend.start("s4"));
    nextYaml.set(yaml(backends));
    JsonNode done = ok("POST", "/api/reload");
    assertThat(done.get("reloaded").asBoolean()).isTrue();
    assertThat(ok("GET", "/api/pools/web/servers").get("servers")).hasSize(4);
    assertThat(admin("GET", "/metrics", TOKEN).body())
        .contains("tether_server_up{pool=\"web\",server=\"s4\"} 1.0");
    assertThat(spread(8)).containsOnlyKeys("s1", "s2", "s3", "s4");
  }
}
