package dev.tether.proxy;

import static dev.tether.proxy.AffinityIntegrationTest.affinity;
import static dev.tether.proxy.AffinityIntegrationTest.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.balance.ServerState;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two Tether instances sharing one Redis stick table (app-cookie mode) in front of the same three
 * backends. Needs Redis at {@code TETHER_TEST_REDIS_URI}; skipped without it unless {@code
 * TETHER_REQUIRE_SERVICES=true}.
 */
@ExtendWith(LeakDetection.class)
class RedisStickTableIntegrationTest {

  private final List<TestBackend> backends = new ArrayList<>();
  private final List<ControlPlane> tethers = new ArrayList<>();
  private String redisUri;

  @BeforeEach
  void setUp() {
    redisUri = System.getenv("TETHER_TEST_REDIS_URI");
    if (redisUri == null) {
      if ("true".equals(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        throw new IllegalStateException(
            "TETHER_REQUIRE_SERVICES=true but TETHER_TEST_REDIS_URI is not set");
      }
      Assumptions.abort(
          "TETHER_TEST_REDIS_URI is not set (e.g. redis://127.0.0.1:6379); skipping the shared stick table test");
    }
    for (String n : List.of("s1", "s2", "s3")) {
      backends.add(TestBackend.start(n));
    }
  }

  @AfterEach
  void tearDown() {
    tethers.forEach(t -> t.stop(Duration.ofSeconds(2)));
    backends.forEach(TestBackend::close);
  }

  private ControlPlane start(String uri) throws Exception {
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
        "listen: 127.0.0.1:0\nworkers: 1\npools:\n  web:\n    affinity:\n"
            + ("mode: app-cookie\ndebug-header: true\ntable: { store: redis, redis-uri: \""
                    + uri
                    + "\", expire: 5m }\n")
                .indent(6)
            + "    servers:\n"
            + servers;
    ControlPlane t =
        ControlPlane.start(ConfigLoader.parse(yaml, "test.yaml", Map.<String, String>of()::get));
    tethers.add(t);
    return t;
  }

  private static HttpResponse<String> fresh(ControlPlane t, String path, String... headers)
      throws Exception {
    try (HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + t.proxy().port() + path));
      if (headers.length > 0) {
        b.headers(headers);
      }
      return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void twoInstancesSendTheSameApplicationCookieToTheSameServer() throws Exception {
    ControlPlane a = start(redisUri);
    ControlPlane b = start(redisUri);
    // On A only s3 takes new sessions, so the login lands there; B, left alone, would pick s1
    // first.
    a.pool("web").setState("s1", ServerState.DISABLED);
    a.pool("web").setState("s2", ServerState.DISABLED);
    String session = "it-" + UUID.randomUUID();
    assertThat(server(fresh(a, "/login?id=" + session))).isEqualTo("s3");
    RedisClient redis = RedisClient.create(redisUri);
    try (StatefulRedisConnection<String, String> c = redis.connect()) {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> "s3".equals(c.sync().get("tether:stick:web:" + session)));
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = fresh(b, "/", "Cookie", "JSESSIONID=" + session);
        assertThat(server(r)).isEqualTo("s3");
        assertThat(affinity(r)).isEqualTo("app-cookie; hit; s3");
      }
      assertThat(server(fresh(b, "/")))
          .as("without the cookie B balances on its own")
          .isNotEqualTo("s3");
      c.sync().del("tether:stick:web:" + session);
    } finally {
      redis.shutdown();
    }
  }

  @Test
  void anUnreachableRedisFallsBackToTheAlgorithm() throws Exception {
    ControlPlane t = start("redis://127.0.0.1:" + ProxyFixture.deadPort());
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = fresh(t, "/", "Cookie", "JSESSIONID=abc" + i);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(affinity(r)).startsWith("app-cookie; new; ");
    }
  }
}
