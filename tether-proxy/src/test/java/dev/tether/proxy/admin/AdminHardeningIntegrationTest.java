package dev.tether.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin surface under attack: token guessing slowed, every change audited, browser calls
 * needing the CSRF token.
 */
@ExtendWith(LeakDetection.class)
class AdminHardeningIntegrationTest {

  private static final String TOKEN = "0123456789abcdef-admin";

  @TempDir Path dir;
  private TestBackend backend;
  private ControlPlane tether;
  private Path audit;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void start() throws Exception {
    backend = TestBackend.start("s1");
    audit = dir.resolve("audit.log");
    tether =
        ControlPlane.start(
            ConfigLoader.parse(
                """
        listen: 127.0.0.1:0
        workers: 1
        admin: { listen: 127.0.0.1:0, token: %s, audit-log: %s }
        pools:
          web:
            servers: [ { name: s1, address: 127.0.0.1:%d } ]
        """
                    .formatted(TOKEN, audit, backend.port()),
                "admin.yaml"));
  }

  @AfterEach
  void stop() {
    tether.stop(Duration.ofSeconds(2));
    backend.close();
    http.close();
  }

  private HttpResponse<String> admin(
      String method, String path, String token, String body, String... headers) throws Exception {
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
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void guessingTheTokenLocksTheAddressOutEvenForTheRightToken() throws Exception {
    for (int i = 0; i < AuthThrottle.FREE_FAILURES + 1; i++) {
      assertThat(admin("GET", "/api/pools", "guess-" + i, null).statusCode()).isEqualTo(401);
    }
    HttpResponse<String> locked = admin("GET", "/api/pools", TOKEN, null);

    assertThat(locked.statusCode()).isEqualTo(429);
    assertThat(locked.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(locked.body()).contains("too many requests with a wrong token");
    // probes stay open to orchestrators
    assertThat(admin("GET", "/live", null, null).statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> admin("GET", "/api/pools", TOKEN, null).statusCode() == 200);
    // the success forgave the failures: a wrong token is a plain 401 again
    assertThat(admin("GET", "/api/pools", "wrong", null).statusCode()).isEqualTo(401);
    assertThat(admin("GET", "/api/pools", TOKEN, null).statusCode()).isEqualTo(200);
  }

  @Test
  void everyStateChangingCallIsAuditedWithWhoWhatAndTheAnswer() throws Exception {
    assertThat(
            admin("PUT", "/api/pools/web/servers/s1/weight", TOKEN, "{\"weight\": 7}").statusCode())
        .isEqualTo(200);
    assertThat(admin("POST", "/api/pools/web/servers/nope/disable", TOKEN, null).statusCode())
        .isEqualTo(404);
    assertThat(admin("GET", "/api/pools", TOKEN, null).statusCode())
        .isEqualTo(200); // reads are not audited

    // a call's line is written once its answer is sent, so the last one may follow the answer
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(audit) && Files.readAllLines(audit).size() >= 2);
    List<String> lines = Files.readAllLines(audit);
    assertThat(lines).hasSize(2);
    // two calls answered one after the other may be written in either order
    lines =
        lines.stream()
            .sorted(java.util.Comparator.comparing((String l) -> !l.contains("\"PUT\"")))
            .toList();
    JsonNode weight = json.readTree(lines.get(0));
    assertThat(weight.get("client").asText()).isEqualTo("127.0.0.1");
    assertThat(weight.get("token").asText()).matches("sha256:[0-9a-f]{12}");
    assertThat(weight.get("method").asText()).isEqualTo("PUT");
    assertThat(weight.get("path").asText()).isEqualTo("/api/pools/web/servers/s1/weight");
    assertThat(weight.get("body").get("weight").asInt()).isEqualTo(7);
    assertThat(weight.get("status").asInt()).isEqualTo(200);
    assertThat(weight.get("time").asText()).endsWith("Z");
    assertThat(json.readTree(lines.get(1)).get("status").asInt()).isEqualTo(404);
    assertThat(String.join("\n", lines)).doesNotContain(TOKEN);
  }

  @Test
  void aBrowserCallNeedsTheCsrfTokenWhileScriptsDoNot() throws Exception {
    String origin = "http://127.0.0.1:" + tether.admin().port();
    HttpResponse<String> noCsrf =
        admin("POST", "/api/pools/web/servers/s1/disable", TOKEN, null, "Origin", origin);
    assertThat(noCsrf.statusCode()).isEqualTo(403);
    assertThat(noCsrf.body()).contains("X-Tether-CSRF");

    String csrf =
        json.readTree(admin("GET", "/api/csrf", TOKEN, null).body()).get("token").asText();
    assertThat(csrf).hasSizeGreaterThanOrEqualTo(43); // 256 bits
    assertThat(
            admin(
                    "POST",
                    "/api/pools/web/servers/s1/disable",
                    TOKEN,
                    null,
                    "Origin",
                    origin,
                    "X-Tether-CSRF",
                    "x" + csrf)
                .statusCode())
        .isEqualTo(403);
    assertThat(
            admin(
                    "POST",
                    "/api/pools/web/servers/s1/disable",
                    TOKEN,
                    null,
                    "Origin",
                    origin,
                    "X-Tether-CSRF",
                    csrf)
                .statusCode())
        .isEqualTo(200);
    assertThat(admin("POST", "/api/pools/web/servers/s1/enable", TOKEN, null).statusCode())
        .isEqualTo(200); // curl: no Origin
    // another site is refused even with the token
    assertThat(
            admin(
                    "POST",
                    "/api/pools/web/servers/s1/disable",
                    TOKEN,
                    null,
                    "Origin",
                    "http://evil.example",
                    "X-Tether-CSRF",
                    csrf)
                .statusCode())
        .isEqualTo(403);
    assertThat(admin("GET", "/api/csrf", null, null).statusCode()).isEqualTo(401);
  }
}
