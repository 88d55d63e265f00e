package dev.tether.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Route access rules and rate limits over real sockets: the client address from a trusted proxy's
 * X-Forwarded-For, 403 and 429 answered by the balancer without reaching a server, Retry-After, the
 * counters, the access log's reason, and buckets kept across a reload.
 */
@ExtendWith(LeakDetection.class)
class RouteRulesIntegrationTest {

  @TempDir Path dir;
  private TestBackend backend;
  private ControlPlane tether;
  private Path log;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private String yaml(int extraRoutePrefixLength) {
    return """
        listen: 127.0.0.1:0
        workers: 1
        trusted-proxies: [127.0.0.1/32]
        access-log: { format: json, path: %s }
        pools:
          web:
            servers: [ { name: s1, address: 127.0.0.1:%d } ]
        routes:
          - path-prefix: /internal
            pool: web
            access: { allow: [10.0.0.0/8], deny: [10.0.5.0/24] }
          - path-prefix: /api
            pool: web
            rate-limit: { rate: 1/m, burst: 3, key: "header:X-Api-Key" }
          - { path-prefix: /%s, pool: web }
        """
        .formatted(log, backend.port(), "x".repeat(extraRoutePrefixLength));
  }

  @BeforeEach
  void start() throws Exception {
    backend = TestBackend.start("s1");
    log = dir.resolve("access.log");
    tether = ControlPlane.start(ConfigLoader.parse(yaml(0), "routes.yaml"));
  }

  @AfterEach
  void stop() {
    if (tether != null) {
      tether.stop(Duration.ofSeconds(2));
    }
    backend.close();
  }

  private HttpResponse<String> get(String path, String forwardedFor, String apiKey)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.proxy().port() + path))
            .timeout(Duration.ofSeconds(20));
    if (forwardedFor != null) {
      b.header("X-Forwarded-For", forwardedFor);
    }
    if (apiKey != null) {
      b.header("X-Api-Key", apiKey);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theAccessRuleJudgesTheClientBehindTheTrustedProxy() throws Exception {
    assertThat(get("/internal/report", "10.1.1.1", null).statusCode()).isEqualTo(200);
    HttpResponse<String> denied = get("/internal/report", "10.0.5.5", null);
    HttpResponse<String> outside = get("/internal/report", "192.0.2.1", null);
    assertThat(get("/other", "192.0.2.1", null).statusCode())
        .isEqualTo(200); // other routes are open

    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body())
        .startsWith("403 Forbidden: client 10.0.5.5 is not allowed on this route");
    assertThat(outside.statusCode()).isEqualTo(403);
    assertThat(backend.received())
        .extracting(TestBackend.Received::uri)
        .containsExactly("/internal/report", "/other");
    assertThat(counter("denied")).isEqualTo(2);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Files.readString(log))
                    .contains("\"status\":403")
                    .contains("is not allowed on this route (access rule)"));
  }

  @Test
  void aRateLimitAnswers429WithRetryAfterPerKeyAndSurvivesAReload() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(get("/api/items", null, "alice").statusCode()).isEqualTo(200);
    }
    HttpResponse<String> limited = get("/api/items", null, "alice");

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After"))
        .hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
    assertThat(limited.body()).contains("rate limit 1/m burst 3 reached").doesNotContain("alice");
    assertThat(get("/api/items", null, "bob").statusCode()).isEqualTo(200);
    assertThat(counter("rate-limited")).isEqualTo(1);

    // a reload that leaves this route's rules alone keeps its buckets
    tether.reload(ConfigLoader.parse(yaml(3), "routes.yaml"));
    assertThat(get("/api/items", null, "alice").statusCode()).isEqualTo(429);
    assertThat(backend.received()).hasSize(4);
  }

  private long counter(String reason) {
    return (long)
        tether
            .analytics()
            .registry()
            .get("tether.route.refused")
            .tag("reason", reason)
            .functionCounter()
            .count();
  }
}
