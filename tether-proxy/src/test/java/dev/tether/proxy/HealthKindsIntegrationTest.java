package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.balance.ServerState;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.leak.LeakDetection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The check kinds end to end: {@link ControlPlane} from YAML probing real backends over loopback,
 * with TCP connects and with HTTP checks that use a method, a status range, a body substring and a
 * {@code Host} of their own.
 */
@ExtendWith(LeakDetection.class)
class HealthKindsIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private final List<AutoCloseable> closing = new ArrayList<>();
  private ControlPlane tether;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void stop() throws Exception {
    if (tether != null) {
      tether.stop(Duration.ofSeconds(2));
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
    http.close();
  }

  private HealthBackend backend(String name) throws Exception {
    HealthBackend b = HealthBackend.start(name);
    closing.add(b);
    return b;
  }

  private static TetherConfig config(String health, Map<String, Integer> servers) throws Exception {
    StringBuilder sb = new StringBuilder();
    servers.forEach(
        (name, port) ->
            sb.append("      - { name: ")
                .append(name)
                .append(", address: 127.0.0.1:")
                .append(port)
                .append(" }\n"));
    String yaml =
        "listen: 127.0.0.1:0\nworkers: 1\npools:\n  web:\n    health: "
            + health
            + "\n    servers:\n"
            + sb;
    return ConfigLoader.parse(yaml, "kinds.yaml", Map.<String, String>of()::get);
  }

  private ServerState state(String server) {
    return tether.pool("web").snapshot().member(server).state();
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void aTcpCheckMarksAClosedPortDownAndAnOpenOneUp() throws Exception {
    HealthBackend open = backend("s1");
    int closed = closedPort();
    tether =
        ControlPlane.start(
            config(
                "{ kind: tcp, interval: 200ms, timeout: 200ms, rise: 1, fall: 1 }",
                orderedMap("s1", open.port(), "s2", closed)));

    await().atMost(WAIT).until(() -> state("s2") == ServerState.DOWN);
    assertThat(tether.healthChecker("web").healthy("s2")).isFalse();
    assertThat(state("s1")).isEqualTo(ServerState.UP);
    assertThat(tether.healthChecker("web").healthy("s1")).isTrue();
    assertThat(open.probes()).as("a TCP check sends no HTTP request").isEmpty();

    try (ServerSocket listening = new ServerSocket(closed, 50, InetAddress.getLoopbackAddress())) {
      await().atMost(WAIT).until(() -> state("s2") == ServerState.UP);
      assertThat(tether.healthChecker("web").healthy("s2")).isTrue();
    }
  }

  @Test
  void anHttpCheckSendsItsMethodAndHostAndJudgesStatusRangeAndBody() throws Exception {
    HealthBackend s1 = backend("s1");
    s1.health(418, Map.of(), "status: all good here");
    tether =
        ControlPlane.start(
            config(
                "{ path: /health, method: OPTIONS, expect-status: [200-204, 418], "
                    + "expect-body: all good, host: app.example.test, interval: 200ms, timeout: 200ms, rise: 1, fall: 1 }",
                orderedMap("s1", s1.port())));

    await().atMost(WAIT).until(() -> s1.probes().size() >= 2);
    assertThat(state("s1")).isEqualTo(ServerState.UP);
    assertThat(s1.probes())
        .allSatisfy(
            p -> {
              assertThat(p.method()).isEqualTo("OPTIONS");
              assertThat(p.host()).isEqualTo("app.example.test");
            });

    s1.health(200, Map.of(), "degraded");
    await().atMost(WAIT).until(() -> state("s1") == ServerState.DOWN);

    s1.health(200, Map.of(), "all good");
    await().atMost(WAIT).until(() -> state("s1") == ServerState.UP);

    s1.health(503, Map.of(), "all good, but 503");
    await().atMost(WAIT).until(() -> state("s1") == ServerState.DOWN);

    s1.health(204, Map.of(), "");
    int seen = s1.probes().size();
    await().atMost(WAIT).until(() -> s1.probes().size() >= seen + 2);
    assertThat(state("s1"))
        .as("a 204 has no body, so it lacks the text")
        .isEqualTo(ServerState.DOWN);
  }

  @Test
  void aHeadCheckWithTheDefaultHostPassesOnItsRangeOnly() throws Exception {
    HealthBackend s1 = backend("s1");
    s1.health(301, Map.of("Location", "/elsewhere"), "moved");
    tether =
        ControlPlane.start(
            config(
                "{ path: /health, method: HEAD, expect-status: 200-299, interval: 200ms, "
                    + "timeout: 200ms, rise: 1, fall: 1 }",
                orderedMap("s1", s1.port())));

    await().atMost(WAIT).until(() -> state("s1") == ServerState.DOWN);
    assertThat(s1.probes())
        .allSatisfy(
            p -> {
              assertThat(p.method()).isEqualTo("HEAD");
              assertThat(p.host()).isEqualTo("127.0.0.1:" + s1.port());
            });

    s1.health(200, Map.of(), "fine");
    await().atMost(WAIT).until(() -> state("s1") == ServerState.UP);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.proxy().port() + "/"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).isEqualTo("s1");
  }

  static Map<String, Integer> orderedMap(Object... kv) {
    Map<String, Integer> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Integer) kv[i + 1]);
    }
    return m;
  }
}
