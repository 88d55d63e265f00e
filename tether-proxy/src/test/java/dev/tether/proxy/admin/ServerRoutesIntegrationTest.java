package dev.tether.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.proxy.runtime.LoadHammer;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runtime server changes over real HTTP: a {@link ControlPlane} in front of real backends, changed
 * through the admin API while a real HTTP client keeps several connections busy through the proxy.
 */
@ExtendWith(LeakDetection.class)
class ServerRoutesIntegrationTest {

  private static final String TOKEN = "0123456789abcdef-admin";
  private final List<TestBackend> backends = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private ControlPlane tether;

  @BeforeEach
  void start() throws Exception {
    for (String n : List.of("s1", "s2", "s3")) {
      backends.add(TestBackend.start(n));
    }
    String yaml =
        "listen: 127.0.0.1:0\nworkers: 1\nadmin: { listen: 127.0.0.1:0, token: "
            + TOKEN
            + " }\n"
            + "pools:\n  web:\n    algorithm: weighted-round-robin\n"
            + "    outlier: { consecutive-connect-failures: 2, base-ejection: 10m, max-ejection: 10m }\n    panic-threshold: 0%\n"
            + "    servers:\n"
            + "      - { name: s1, address: "
            + backends.get(0).address()
            + " }\n"
            + "      - { name: s2, address: "
            + backends.get(1).address()
            + " }\n"
            + "  sticky:\n    affinity: { mode: cookie, idle-timeout: 2s, refresh-interval: 1s }\n    servers:\n"
            + "      - { name: s1, address: "
            + backends.get(0).address()
            + " }\n"
            + "      - { name: s2, address: "
            + backends.get(1).address()
            + " }\n"
            + "  checked:\n    health: { path: /health, interval: 200ms, timeout: 200ms, rise: 1, fall: 1 }\n    servers:\n"
            + "      - { name: s1, address: "
            + backends.get(0).address()
            + " }\n"
            + "routes:\n  - { path-prefix: /checked, pool: checked }\n  - { path-prefix: /sticky, pool: sticky }\n  - { path-prefix: /, pool: web }\n";
    tether = ControlPlane.start(parse(yaml));
  }

  @AfterEach
  void stop() {
    tether.stop(Duration.ofSeconds(2));
    backends.forEach(TestBackend::close);
    http.close();
  }

  private static TetherConfig parse(String yaml) {
    try {
      return ConfigLoader.parse(yaml, "tether.yaml", Map.<String, String>of()::get);
    } catch (Exception e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private HttpResponse<String> admin(String method, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.admin().port() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return admin(method, path, body, TOKEN);
  }

  private JsonNode expect(int status, String method, String path, String body) throws Exception {
    HttpResponse<String> r = admin(method, path, body);
    assertThat(r.statusCode())
        .as(method + " " + path + " " + body + ": " + r.body())
        .isEqualTo(status);
    return json.readTree(r.body());
  }

  private URI proxy() {
    return URI.create("http://127.0.0.1:" + tether.proxy().port() + "/");
  }

  private List<String> serverNames() throws Exception {
    return serverNames("web");
  }

  private List<String> serverNames(String pool) throws Exception {
    List<String> out = new ArrayList<>();
    expect(200, "GET", "/api/pools/" + pool + "/servers", null)
        .get("servers")
        .forEach(s -> out.add(s.get("name").asText()));
    return out;
  }

  @Test
  void everyChangeNeedsTheToken() throws Exception {
    String add = "{\"name\": \"s3\", \"address\": \"" + backends.get(2).address() + "\"}";
    for (String token : new String[] {null, "wrong-token-wrong-token"}) {
      assertThat(admin("POST", "/api/pools/web/servers", add, token).statusCode()).isEqualTo(401);
      assertThat(admin("DELETE", "/api/pools/web/servers/s1?now", null, token).statusCode())
          .isEqualTo(401);
      assertThat(
              admin("PUT", "/api/pools/web/servers/s1/weight", "{\"weight\": 2}", token)
                  .statusCode())
          .isEqualTo(401);
      assertThat(admin("GET", "/api/config", null, token).statusCode()).isEqualTo(401);
    }
    assertThat(serverNames()).containsExactly("s1", "s2");
  }

  @Test
  void badInputIsA400NamingTheField() throws Exception {
    Map<String, String> bodies =
        Map.of(
            "{\"address\": \"127.0.0.1:9\"}", "name: missing",
            "{\"name\": \"s 3\", \"address\": \"127.0.0.1:9\"}", "name: 's 3' is not a server name",
            "{\"name\": \"s3\", \"address\": \"nowhere\"}", "address: 'nowhere' has no port",
            "{\"name\": \"s3\", \"address\": \"127.0.0.1:9\", \"weight\": 300}",
                "weight: 300 is out of range; use 0..256",
            "{\"name\": \"s3\", \"address\": \"127.0.0.1:9\", \"weight\": \"x\"}",
                "weight: \"x\" is not a whole number",
            "{\"name\": \"s3\", \"address\": \"127.0.0.1:9\", \"colour\": 1}",
                "colour: unknown field",
            "not json", "body: not JSON",
            "{\"name\": \"s3\", \"address\": \"no-such-host.invalid:80\"}",
                "address: host 'no-such-host.invalid' does not resolve");
    for (Map.Entry<String, String> e : bodies.entrySet()) {
      assertThat(expect(400, "POST", "/api/pools/web/servers", e.getKey()).get("error").asText())
          .contains(e.getValue());
    }
    assertThat(
            expect(400, "PUT", "/api/pools/web/servers/s1/weight", "{\"weight\": -1}")
                .get("error")
                .asText())
        .contains("weight: -1 is out of range; use 0..256");
    assertThat(expect(400, "PUT", "/api/pools/web/servers/s1/weight", "{}").get("error").asText())
        .contains("weight: missing");
    assertThat(
            expect(400, "DELETE", "/api/pools/web/servers/s1?deadline=soon", null)
                .get("error")
                .asText())
        .contains("deadline: 'soon' is not a duration");
    assertThat(expect(400, "DELETE", "/api/pools/web/servers/s1?force", null).get("error").asText())
        .contains("force: unknown parameter");
    assertThat(serverNames()).containsExactly("s1", "s2");
  }

  @Test
  void unknownPoolsAndServersAre404WrongMethods405AndClashes409() throws Exception {
    assertThat(
            expect(
                    404,
                    "POST",
                    "/api/pools/nope/servers",
                    "{\"name\": \"s3\", \"address\": \"127.0.0.1:9\"}")
                .get("error")
                .asText())
        .contains("no pool 'nope'");
    assertThat(expect(404, "DELETE", "/api/pools/web/servers/zz?now", null).get("error").asText())
        .contains("no server 'zz'");
    assertThat(
            expect(404, "PUT", "/api/pools/web/servers/zz/weight", "{\"weight\": 1}")
                .get("error")
                .asText())
        .contains("no server 'zz'");
    HttpResponse<String> r = admin("GET", "/api/pools/web/servers/s1", null);
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).contains("DELETE");
    assertThat(admin("POST", "/api/pools/web/servers/s1/weight", "{\"weight\": 1}").statusCode())
        .isEqualTo(405);
    assertThat(admin("PUT", "/api/pools/web/servers", "{}").headers().firstValue("Allow"))
        .contains("GET, POST");
    assertThat(
            expect(
                    409,
                    "POST",
                    "/api/pools/web/servers",
                    "{\"name\": \"s1\", \"address\": \"127.0.0.1:9\"}")
                .get("error")
                .asText())
        .contains("already has a server named 's1'");
    expect(200, "DELETE", "/api/pools/web/servers/s1?now", null);
    assertThat(expect(409, "DELETE", "/api/pools/web/servers/s2?now", null).get("error").asText())
        .contains("last of pool web");
  }

  @Test
  void aServerAddedUnderLoadTakesTrafficAndOneRemovedUnderLoadFailsNothing() throws Exception {
    try (LoadHammer load = LoadHammer.start(proxy(), 4)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > 200);
      JsonNode added =
          expect(
              201,
              "POST",
              "/api/pools/web/servers",
              "{\"name\": \"s3\", \"address\": \""
                  + backends.get(2).address()
                  + "\", \"weight\": 2}");
      assertThat(added.get("weight").asInt()).isEqualTo(2);
      assertThat(added.get("state").asText()).isEqualTo("UP");
      await().atMost(Duration.ofSeconds(10)).until(() -> load.servedBy("s3") > 100);
      JsonNode removal = expect(202, "DELETE", "/api/pools/web/servers/s3?deadline=30s", null);
      assertThat(removal.get("draining").asBoolean()).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> !serverNames().contains("s3"));
      long s3 = backends.get(2).requests();
      long before = load.ok();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > before + 500);
      assertThat(backends.get(2).requests()).as("nothing reaches a removed server").isEqualTo(s3);
      expect(200, "DELETE", "/api/pools/web/servers/s2?now", null);
      long after = load.ok();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > after + 500);
      load.close();
      assertThat(load.failures()).isEmpty();
    }
    assertThat(serverNames()).containsExactly("s1");
  }

  @Test
  void removalDrainsFirstKeepingStickyClientsUntilTheirSessionIdlesOut() throws Exception {
    URI sticky = URI.create("http://127.0.0.1:" + tether.proxy().port() + "/sticky");
    try (HttpClient browser =
        HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build()) {
      String bound =
          browser
              .send(HttpRequest.newBuilder(sticky).build(), HttpResponse.BodyHandlers.ofString())
              .headers()
              .firstValue("X-Server")
              .orElseThrow();
      String other = bound.equals("s1") ? "s2" : "s1";
      JsonNode removal =
          expect(202, "DELETE", "/api/pools/sticky/servers/" + bound + "?deadline=1m", null);
      assertThat(removal.get("removed").asBoolean()).isFalse();
      JsonNode listed = expect(200, "GET", "/api/pools/sticky/servers", null).get("servers");
      JsonNode entry = listed.get(bound.equals("s1") ? 0 : 1);
      assertThat(entry.get("state").asText()).isEqualTo("DRAINING");
      assertThat(entry.get("removal").get("deadline").asText())
          .isEqualTo(removal.get("deadline").asText());
      JsonNode drain = expect(200, "GET", "/api/pools/sticky/servers/" + bound + "/drain", null);
      assertThat(drain.get("done").asBoolean()).as("its session is live").isFalse();
      assertThat(java.time.Instant.parse(drain.get("deadline").asText()))
          .isCloseTo(
              java.time.Instant.parse(removal.get("deadline").asText()),
              org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.SECONDS));
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> r =
            browser.send(
                HttpRequest.newBuilder(sticky).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.headers().firstValue("X-Server"))
            .as("the bound client stays while the server drains")
            .contains(bound);
      }
      assertThat(TestBackend.servedBy(http, sticky, 6))
          .as("new clients avoid the draining server")
          .containsOnlyKeys(other);
      assertThat(serverNames("sticky")).contains(bound);
      // The session idles out 2 s after its last request; then nothing binds the server and it
      // goes.
      await().atMost(Duration.ofSeconds(15)).until(() -> !serverNames("sticky").contains(bound));
      HttpResponse<String> after =
          browser.send(
              HttpRequest.newBuilder(sticky).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(after.statusCode()).isEqualTo(200);
      assertThat(after.headers().firstValue("X-Server")).contains(other);
    }
  }

  @Test
  void activeChecksTestAnAddedServerAndForgetARemovedOne() throws Exception {
    backends.get(2).healthy(false);
    expect(
        201,
        "POST",
        "/api/pools/checked/servers",
        "{\"name\": \"s3\", \"address\": \"" + backends.get(2).address() + "\"}");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              JsonNode s3 =
                  expect(200, "GET", "/api/pools/checked/servers", null).get("servers").get(1);
              return s3.get("state").asText().equals("DOWN") && !s3.get("healthy").asBoolean();
            });
    URI checked = URI.create("http://127.0.0.1:" + tether.proxy().port() + "/checked");
    assertThat(TestBackend.servedBy(http, checked, 6)).containsOnlyKeys("s1");
    backends.get(2).healthy(true);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> TestBackend.servedBy(http, checked, 4).containsKey("s3"));
    expect(200, "DELETE", "/api/pools/checked/servers/s3?now", null);
    assertThat(tether.healthChecker("checked").health()).containsOnlyKeys("s1");
  }

  @Test
  void passiveChecksEjectAnAddedServerThatRefusesConnectionsWithoutAFailedRequest()
      throws Exception {
    int closed = dev.tether.testing.net.FreePorts.loopback(1).getFirst();
    try (LoadHammer load = LoadHammer.start(proxy(), 2)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > 100);
      expect(
          201,
          "POST",
          "/api/pools/web/servers",
          "{\"name\": \"dead\", \"address\": \"127.0.0.1:" + closed + "\"}");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  !expect(200, "GET", "/api/pools/web/servers", null)
                      .get("servers")
                      .get(2)
                      .get("ejected")
                      .isNull());
      assertThat(scrape()).contains("tether_server_down{pool=\"web\",server=\"dead\"}");
      expect(200, "DELETE", "/api/pools/web/servers/dead?now", null);
      long seen = load.ok();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > seen + 200);
      load.close();
      assertThat(load.failures()).as("connect failures are retried on another server").isEmpty();
    }
    assertThat(tether.pool("web").snapshot().ejectedCount()).isZero();
    // The server's gauges go with it; only the ejection counter keeps its history.
    assertThat(scrape())
        .doesNotContain("tether_server_down{pool=\"web\",server=\"dead\"}")
        .contains(
            "tether_outlier_ejections_total{pool=\"web\",reason=\"connect-failure\",server=\"dead\"}");
  }

  private String scrape() throws Exception {
    return admin("GET", "/metrics", null).body();
  }

  @Test
  void aWeightChangeShiftsTheSplit() throws Exception {
    Map<String, Integer> even = TestBackend.servedBy(http, proxy(), 400);
    assertThat(even).containsEntry("s1", 200).containsEntry("s2", 200);
    JsonNode w = expect(200, "PUT", "/api/pools/web/servers/s2/weight", "{\"weight\": 3}");
    assertThat(w.get("previous").asInt()).isEqualTo(1);
    // Smooth weighted round robin is exact over each cycle of 1 + 3 picks: s2 gets 3/4 of 2000 =
    // 1500. Allow 2% (40 requests) for the cycle the change fell into and any pick ordering.
    Map<String, Integer> split = TestBackend.servedBy(http, proxy(), 2000);
    assertThat(split.get("s2")).isBetween(1460, 1540);
    assertThat(split.get("s1")).isBetween(460, 540);
    assertThat(
            expect(200, "GET", "/api/pools/web/servers", null)
                .get("servers")
                .get(1)
                .get("weight")
                .asInt())
        .isEqualTo(3);
  }

  @Test
  void theEffectiveConfigurationMarksChangesHidesTheTokenAndReadsBack() throws Exception {
    expect(
        201,
        "POST",
        "/api/pools/web/servers",
        "{\"name\": \"s3\", \"address\": \"" + backends.get(2).address() + "\"}");
    expect(200, "PUT", "/api/pools/web/servers/s1/weight", "{\"weight\": 4}");
    HttpResponse<String> r = admin("GET", "/api/config", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/yaml"));
    assertThat(r.body())
        .contains("# runtime: added ", "# runtime: weight 4 set ", "token: <redacted>")
        .doesNotContain(TOKEN);
    TetherConfig back = parse(r.body().replace("<redacted>", TOKEN));
    assertThat(back.pools().get("web").servers())
        .isEqualTo(tether.config().pools().get("web").servers());
    assertThat(back.pools().get("web").servers()).hasSize(3);
    assertThat(admin("POST", "/api/config", "").statusCode()).isEqualTo(405);
  }
}
