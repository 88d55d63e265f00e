package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.balance.ServerState;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.leak.LeakDetection;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Agent headers end to end: real backends whose health responses carry {@code Tether-State} and
 * {@code Tether-Weight}, a {@link ControlPlane} from YAML with cookie affinity and an admin API,
 * sticky clients with their own cookie jars.
 */
@ExtendWith(LeakDetection.class)
class AgentHeaderIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private final HealthBackend s1;
  private final HealthBackend s2;
  private ControlPlane tether;
  private final HttpClient admin =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();

  AgentHeaderIntegrationTest() throws Exception {
    s1 = HealthBackend.start("s1");
    s2 = HealthBackend.start("s2");
  }

  @AfterEach
  void stop() {
    if (tether != null) {
      tether.stop(Duration.ofSeconds(2));
    }
    s1.close();
    s2.close();
    admin.close();
  }

  private void start(String poolKeys, int w1, int w2) throws Exception {
    String yaml =
        "listen: 127.0.0.1:0\nworkers: 1\nadmin: { listen: 127.0.0.1:0 }\npools:\n  web:\n"
            + poolKeys
            + "    health: { path: /health, interval: 200ms, timeout: 200ms, rise: 1, fall: 1 }\n"
            + "    servers:\n"
            + "      - { name: s1, address: 127.0.0.1:"
            + s1.port()
            + ", weight: "
            + w1
            + " }\n"
            + "      - { name: s2, address: 127.0.0.1:"
            + s2.port()
            + ", weight: "
            + w2
            + " }\n";
    TetherConfig c = ConfigLoader.parse(yaml, "agent.yaml", Map.<String, String>of()::get);
    tether = ControlPlane.start(c);
  }

  private ServerState state(String server) {
    return tether.pool("web").snapshot().member(server).state();
  }

  private URI proxy() {
    return URI.create("http://127.0.0.1:" + tether.proxy().port() + "/page");
  }

  private static HttpClient sticky() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .cookieHandler(new CookieManager())
        .build();
  }

  private String get(HttpClient client) throws Exception {
    HttpResponse<String> r =
        client.send(HttpRequest.newBuilder(proxy()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /**
   * Waits until {@code b} has answered {@code n} more health probes, so the checker has seen its
   * answer.
   */
  private static void probedAgain(HealthBackend b, int n) {
    int seen = b.probes().size();
    await().atMost(WAIT).until(() -> b.probes().size() >= seen + n);
  }

  private JsonNode server(String name) throws Exception {
    HttpResponse<String> r =
        admin.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + tether.admin().port() + "/api/pools/web/servers"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    for (JsonNode s : json.readTree(r.body()).get("servers")) {
      if (s.get("name").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no server " + name + " in " + r.body());
  }

  private int adminPost(String path) throws Exception {
    return admin
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.admin().port() + path))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void drainKeepsBoundSessionsTakesNoNewOnesAndReadyReturnsTheServer() throws Exception {
    start("    affinity: { mode: cookie }\n", 1, 1);
    HttpClient boundToS1 = null;
    for (int i = 0; i < 10 && boundToS1 == null; i++) {
      HttpClient c = sticky();
      if (get(c).equals("s1")) {
        boundToS1 = c;
      } else {
        c.close();
      }
    }
    assertThat(boundToS1).as("round robin binds one of the first clients to s1").isNotNull();

    s1.health(200, Map.of("Tether-State", "drain"), "OK");
    await().atMost(WAIT).until(() -> state("s1") == ServerState.DRAINING);
    assertThat(server("s1").get("agent").get("state").asText()).isEqualTo("drain");
    assertThat(server("s1").get("state").asText()).isEqualTo("DRAINING");

    for (int i = 0; i < 10; i++) {
      try (HttpClient fresh = sticky()) {
        assertThat(get(fresh))
            .as("a new session never lands on the draining server")
            .isEqualTo("s2");
      }
    }
    for (int i = 0; i < 5; i++) {
      assertThat(get(boundToS1)).as("a bound session stays on its draining server").isEqualTo("s1");
    }

    s1.health(200, Map.of("Tether-State", "ready"), "OK");
    await().atMost(WAIT).until(() -> state("s1") == ServerState.UP);
    assertThat(tether.pool("web").snapshot().member("s1").acceptsNew()).isTrue();
    // New sessions from one client address stick together for the affinity's first-request window
    // (1 s), so the first new session on s1 may take that long.
    await("a new session lands on s1 again")
        .atMost(WAIT)
        .until(
            () -> {
              try (HttpClient c = sticky()) {
                return get(c).equals("s1");
              }
            });
    boundToS1.close();
  }

  @Test
  void anOperatorsDrainAndDisableOutrankTheAgentAndAnEnableSetsItsAnswerAside() throws Exception {
    start("", 1, 1);
    assertThat(adminPost("/api/pools/web/servers/s1/drain")).isEqualTo(200);
    s1.health(200, Map.of("Tether-State", "ready"), "OK");
    probedAgain(s1, 3);
    assertThat(state("s1"))
        .as("ready never undoes an operator's drain")
        .isEqualTo(ServerState.DRAINING);

    s1.health(200, Map.of("Tether-State", "drain"), "OK");
    probedAgain(s1, 2);
    assertThat(adminPost("/api/pools/web/servers/s1/enable")).isEqualTo(200);
    probedAgain(s1, 3);
    assertThat(state("s1"))
        .as("the operator's enable wins over the drain in force")
        .isEqualTo(ServerState.UP);
    assertThat(server("s1").get("agent").get("setAside").asBoolean()).isTrue();

    s1.health(200, Map.of("Tether-State", "ready"), "OK");
    probedAgain(s1, 2);
    s1.health(200, Map.of("Tether-State", "drain"), "OK");
    await("a new drain answer counts again")
        .atMost(WAIT)
        .until(() -> state("s1") == ServerState.DRAINING);

    s2.health(200, Map.of("Tether-State", "down"), "OK");
    await().atMost(WAIT).until(() -> state("s2") == ServerState.DOWN);
    assertThat(tether.healthChecker("web").healthy("s2"))
        .as("its probes pass; it asked to be down")
        .isTrue();
    s2.health(200, Map.of(), "OK");
    await("no header counts as ready").atMost(WAIT).until(() -> state("s2") == ServerState.UP);

    assertThat(adminPost("/api/pools/web/servers/s2/disable")).isEqualTo(200);
    s2.health(200, Map.of("Tether-State", "drain"), "OK");
    probedAgain(s2, 2);
    s2.health(200, Map.of("Tether-State", "ready"), "OK");
    probedAgain(s2, 2);
    assertThat(state("s2"))
        .as("nothing the agent says changes DISABLED")
        .isEqualTo(ServerState.DISABLED);
  }

  @Test
  void anOperatorsDrainOfAServerTheAgentDrainedIsNotLiftedByTheAgentsReady() throws Exception {
    start("", 1, 1);
    s1.health(200, Map.of("Tether-State", "drain"), "OK");
    await().atMost(WAIT).until(() -> state("s1") == ServerState.DRAINING);
    assertThat(adminPost("/api/pools/web/servers/s1/drain"))
        .as("the drain endpoint")
        .isEqualTo(200);
    s1.health(200, Map.of("Tether-State", "ready"), "OK");
    probedAgain(s1, 3);
    assertThat(state("s1"))
        .as("the operator's drain outlasts the agent's")
        .isEqualTo(ServerState.DRAINING);
  }

  @Test
  void aWeightOf50PercentHalvesTheServersShareAndABadValueIsIgnored() throws Exception {
    start("    algorithm: weighted-round-robin\n", 2, 2);
    int n = 300;
    // Equal weights 2:2: each server's share is 1/2. Smooth weighted round robin is exact over a
    // whole number of rounds; the tolerance of 0.05 (15 of 300) allows for requests a probe
    // interleaves with nothing, and would still catch a 50% weight being ignored (share 0.5).
    assertThat(share(n)).isCloseTo(0.5, within(0.05));

    s1.health(200, Map.of("Tether-Weight", "50%"), "OK");
    await().atMost(WAIT).until(() -> tether.pool("web").snapshot().member("s1").weight() == 1);
    JsonNode listed = server("s1");
    assertThat(listed.get("weight").asInt()).as("the weight balanced with").isEqualTo(1);
    assertThat(listed.get("agent").get("weight").asText()).isEqualTo("50%");
    assertThat(listed.get("agent").get("configuredWeight").asInt()).isEqualTo(2);
    // Weights 1:2: s1's share is 1/3 (100 of 300), same tolerance.
    assertThat(share(n)).isCloseTo(1.0 / 3, within(0.05));

    s1.health(200, Map.of("Tether-Weight", "lots"), "OK");
    await().atMost(WAIT).until(() -> tether.pool("web").snapshot().member("s1").weight() == 2);
    assertThat(server("s1").get("agent").get("ignored").asText()).contains("Tether-Weight: 'lots'");
    assertThat(state("s1")).isEqualTo(ServerState.UP);
  }

  /** The share of {@code n} sequential requests that s1 served. */
  private double share(int n) throws Exception {
    long before1 = s1.served();
    long before2 = s2.served();
    try (HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      for (int i = 0; i < n; i++) {
        get(c);
      }
    }
    long a = s1.served() - before1;
    long b = s2.served() - before2;
    assertThat(a + b).isEqualTo(n);
    return (double) a / n;
  }
}
