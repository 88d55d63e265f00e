package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.balance.ServerState;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Active health checks end to end: {@link ControlPlane} from YAML in front of three real backends
 * whose {@code /health} can be switched off, or which are stopped outright.
 */
@ExtendWith(LeakDetection.class)
class HealthCheckIntegrationTest {

  private final List<TestBackend> backends = new ArrayList<>();
  private ControlPlane tether;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception {
    for (String n : List.of("s1", "s2", "s3")) {
      backends.add(TestBackend.start(n));
    }
    tether = ControlPlane.start(config(""));
  }

  private TetherConfig config(String affinity) throws Exception {
    StringBuilder servers = new StringBuilder();
    for (TestBackend b : backends) {
      servers
          .append("      - { name: ")
          .append(b.name())
          .append(", address: 127.0.0.1:")
          .append(b.port())
          .append(" }\n");
    }
    String yaml =
        "listen: 127.0.0.1:0\nworkers: 1\npools:\n  web:\n"
            + affinity
            + "    health: { path: /health, interval: 500ms, timeout: 500ms, rise: 2, fall: 2 }\n"
            + "    servers:\n"
            + servers;
    return ConfigLoader.parse(yaml, "health.yaml", Map.<String, String>of()::get);
  }

  @AfterEach
  void stop() {
    if (tether != null) {
      tether.stop(Duration.ofSeconds(2));
    }
    backends.forEach(TestBackend::close);
    http.close();
  }

  private ServerState state(String server) {
    return tether.pool("web").snapshot().member(server).state();
  }

  /** Which backend served each of {@code n} requests. */
  private Map<String, Integer> spread(int n) throws Exception {
    return TestBackend.servedBy(
        http, URI.create("http://127.0.0.1:" + tether.proxy().port() + "/"), n);
  }

  @Test
  void anUnhealthyServerIsTakenOutAndComesBackWhenHealthy() throws Exception {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                backends.get(1).received().stream().filter(r -> r.uri().equals("/health")).count()
                    >= 2);
    assertThat(state("s2")).isEqualTo(ServerState.UP);

    backends.get(1).healthy(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> state("s2") == ServerState.DOWN);
    assertThat(tether.healthChecker("web").healthy("s2")).isFalse();
    assertThat(spread(30)).containsOnlyKeys("s1", "s3");

    backends.get(1).healthy(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> state("s2") == ServerState.UP);
    assertThat(spread(30)).containsOnlyKeys("s1", "s2", "s3");
  }

  @Test
  void aStoppedServerIsTakenOutBeforeClientsSeeErrors() throws Exception {
    backends.get(2).close();
    await().atMost(Duration.ofSeconds(10)).until(() -> state("s3") == ServerState.DOWN);
    assertThat(spread(30)).containsOnlyKeys("s1", "s2");
    assertThat(state("s1")).isEqualTo(ServerState.UP);
  }

  @Test
  void anOperatorsStateIsKeptAndReloadKeepsWhatTheChecksKnow() throws Exception {
    tether.pool("web").setState("s1", ServerState.DRAINING);
    backends.get(0).healthy(false);
    backends.get(1).healthy(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> state("s2") == ServerState.DOWN);
    await().atMost(Duration.ofSeconds(10)).until(() -> !tether.healthChecker("web").healthy("s1"));
    assertThat(state("s1")).as("draining stays draining").isEqualTo(ServerState.DRAINING);

    // Same algorithm: the pool and its states are kept.
    tether.reload(config(""));
    assertThat(state("s1")).isEqualTo(ServerState.DRAINING);
    assertThat(state("s2")).isEqualTo(ServerState.DOWN);
    assertThat(tether.healthChecker("web").healthy("s1")).isFalse();

    // A new algorithm builds a new pool (every server UP); what the checks knew is applied at once.
    tether.reload(config("    algorithm: least-connections\n"));
    assertThat(state("s1")).isEqualTo(ServerState.DOWN);
    assertThat(state("s2")).isEqualTo(ServerState.DOWN);
    assertThat(state("s3")).isEqualTo(ServerState.UP);
    assertThat(spread(20)).containsOnlyKeys("s3");

    backends.get(1).healthy(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> state("s2") == ServerState.UP);
    assertThat(spread(20)).containsOnlyKeys("s2", "s3");
  }
}
