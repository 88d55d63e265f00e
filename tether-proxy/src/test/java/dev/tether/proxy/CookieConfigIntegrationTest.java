package dev.tether.proxy;

import static dev.tether.proxy.AffinityIntegrationTest.affinity;
import static dev.tether.proxy.AffinityIntegrationTest.server;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.affinity.AffinityPolicy;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cookie mode from YAML: attributes, keys shared by two instances, the policy kept across reloads.
 */
@ExtendWith(LeakDetection.class)
class CookieConfigIntegrationTest {

  private static final Map<String, String> ENV =
      Map.of(
          "K1", Base64.getEncoder().encodeToString("k1-k1-k1-k1-k1-k1-k1-k1-k1-k1-k1-".getBytes()),
          "K2", Base64.getEncoder().encodeToString("k2-k2-k2-k2-k2-k2-k2-k2-k2-k2-k2-".getBytes()));

  private final List<TestBackend> backends = new ArrayList<>();
  private final List<ControlPlane> tethers = new ArrayList<>();

  @BeforeEach
  void startBackends() {
    for (String n : List.of("s1", "s2", "s3")) {
      backends.add(TestBackend.start(n));
    }
  }

  @AfterEach
  void stop() {
    tethers.forEach(t -> t.stop(Duration.ofSeconds(2)));
    backends.forEach(TestBackend::close);
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
        "listen: 127.0.0.1:0\nworkers: 1\npools:\n  web:\n    affinity:\n"
            + affinity.indent(6)
            + "    servers:\n"
            + servers;
    return ConfigLoader.parse(yaml, "test.yaml", ENV::get);
  }

  private ControlPlane start(TetherConfig c) {
    ControlPlane t = ControlPlane.start(c);
    tethers.add(t);
    return t;
  }

  private static HttpResponse<String> get(ControlPlane t, String... headers) throws Exception {
    try (HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + t.proxy().port() + "/"));
      if (headers.length > 0) {
        b.headers(headers);
      }
      return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  private static final String COOKIE =
      """
      mode: cookie
      cookie: { name: SRV, max-age: 1h, secure: true, same-site: none, host-prefix: true }
      keys: [ { id: k2, secret-env: K2 }, { id: k1, secret-env: K1 } ]
      debug-header: true
      """;

  @Test
  void attributesFromTheConfigAndATokenFromOneInstanceHoldsOnAnother() throws Exception {
    ControlPlane a = start(config(COOKIE));
    ControlPlane b = start(config(COOKIE));
    HttpResponse<String> first = get(a);
    String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
    assertThat(setCookie)
        .startsWith("__Host-SRV=")
        .endsWith("; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=None");
    String cookie = setCookie.split(";")[0];
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = get(b, "Cookie", cookie);
      assertThat(server(r)).isEqualTo(server(first));
      assertThat(affinity(r)).startsWith("cookie; hit;");
    }
  }

  @Test
  void aReloadKeepsThePolicyUnlessItsSectionChanged() throws Exception {
    ControlPlane t = start(config(COOKIE));
    AffinityPolicy before = t.affinity("web");
    String cookie = get(t).headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    t.reload(config(COOKIE));
    assertThat(t.affinity("web")).isSameAs(before);
    assertThat(affinity(get(t, "Cookie", cookie))).startsWith("cookie; hit;");
    // Dropping the signing key k2 (rotation finished the wrong way round) invalidates its tokens.
    t.reload(config(COOKIE.replace("{ id: k2, secret-env: K2 }, ", "")));
    assertThat(t.affinity("web")).isNotSameAs(before);
    assertThat(affinity(get(t, "Cookie", cookie))).startsWith("cookie; invalid;");
  }
}
