package dev.tether.proxy;

import static dev.tether.proxy.AffinityIntegrationTest.affinity;
import static dev.tether.proxy.AffinityIntegrationTest.server;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Modes app-cookie, source-ip and header (JWT) end to end, configured through YAML and started with
 * {@link ControlPlane} in front of three real backends.
 */
@ExtendWith(LeakDetection.class)
class KeyedAffinityIntegrationTest {

  private static final String JWT_SECRET = "0123456789abcdef0123456789abcdef";

  private final List<TestBackend> backends = new ArrayList<>();
  private ControlPlane tether;

  @BeforeEach
  void startBackends() {
    for (String n : List.of("s1", "s2", "s3")) {
      backends.add(TestBackend.start(n));
    }
  }

  @AfterEach
  void stop() {
    if (tether != null) {
      tether.stop(Duration.ofSeconds(2));
    }
    backends.forEach(TestBackend::close);
  }

  private void start(String top, String affinity) throws Exception {
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
        "listen: 127.0.0.1:0\nworkers: 1\n"
            + top
            + "pools:\n  web:\n    affinity:\n"
            + affinity.indent(6)
            + "    servers:\n"
            + servers;
    TetherConfig c = ConfigLoader.parse(yaml, "test.yaml", Map.of("JWT_SECRET", JWT_SECRET)::get);
    tether = ControlPlane.start(c);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + tether.proxy().port() + path);
  }

  private HttpResponse<String> fresh(String path, String... headers) throws Exception {
    try (HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri(path));
      if (headers.length > 0) {
        b.headers(headers);
      }
      return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void appCookieLearnsTheSessionFromTheBackendsSetCookie() throws Exception {
    start("", "mode: app-cookie\ndebug-header: true\n");
    Set<String> owners = new HashSet<>();
    for (int user = 0; user < 3; user++) {
      HttpResponse<String> login = fresh("/login?id=user" + user);
      String owner = server(login);
      owners.add(owner);
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = fresh("/", "Cookie", "JSESSIONID=user" + user);
        assertThat(server(r)).isEqualTo(owner);
        assertThat(affinity(r)).isEqualTo("app-cookie; hit; " + owner);
      }
    }
    // The three logins come from one address within the first-request window, so they share a
    // server; "hit" above (not "new") shows each value was learned from the login's Set-Cookie.
    assertThat(owners).hasSize(1);
  }

  @Test
  void appCookieRouteSuffixNeedsNoTable() throws Exception {
    start("", "mode: app-cookie\napp-cookie: { learn: false }\ndebug-header: true\n");
    for (String s : List.of("s1", "s2", "s3")) {
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> r = fresh("/", "Cookie", "JSESSIONID=A1B2C3." + s);
        assertThat(server(r)).isEqualTo(s);
      }
    }
  }

  @Test
  void sourceIpBehindATrustedProxySticksPerSlash24() throws Exception {
    start(
        "trusted-proxies: [127.0.0.1]\n",
        "mode: source-ip\nsource-ip: { ipv4-prefix: 24 }\ndebug-header: true\n");
    Set<String> spread = new HashSet<>();
    for (int net = 0; net < 30; net++) {
      String first = server(fresh("/", "X-Forwarded-For", "198.51." + net + ".10"));
      spread.add(first);
      for (int host = 11; host < 14; host++) {
        assertThat(server(fresh("/", "X-Forwarded-For", "198.51." + net + "." + host)))
            .isEqualTo(first);
      }
      assertThat(server(fresh("/", "Forwarded", "for=\"198.51." + net + ".99:4711\"")))
          .isEqualTo(first);
    }
    assertThat(spread).as("30 networks hash over all three servers").hasSize(3);
  }

  @Test
  void aSpoofedForwardedForFromAnUntrustedPeerIsIgnored() throws Exception {
    start("", "mode: source-ip\n");
    Set<String> servers = new HashSet<>();
    for (int net = 0; net < 30; net++) {
      servers.add(server(fresh("/", "X-Forwarded-For", "198.51." + net + ".10")));
    }
    assertThat(servers).as("every request is keyed by the real peer 127.0.0.1").hasSize(1);
  }

  @Test
  void jwtSubjectSticksAndUnverifiableTokensCountAsAbsent() throws Exception {
    start(
        "",
        """
        mode: header
        header:
          jwt: { algorithms: [HS256], secret-env: JWT_SECRET }
        debug-header: true
        """);
    Set<String> owners = new HashSet<>();
    for (int u = 0; u < 12; u++) {
      String token = hs256("user-" + u, JWT_SECRET);
      String owner = server(fresh("/", "Authorization", "Bearer " + token));
      owners.add(owner);
      for (int i = 0; i < 3; i++) {
        // A new token (other iat) for the same subject goes to the same server.
        String again = hs256("user-" + u, JWT_SECRET);
        assertThat(server(fresh("/", "Authorization", "Bearer " + again))).isEqualTo(owner);
      }
    }
    assertThat(owners).hasSizeGreaterThan(1);
    String none = new PlainJWT(new JWTClaimsSet.Builder().subject("user-0").build()).serialize();
    String wrongKey = hs256("user-0", "ffffffffffffffffffffffffffffffff");
    for (String bad : List.of(none, wrongKey, "not-a-jwt")) {
      HttpResponse<String> r = fresh("/", "Authorization", "Bearer " + bad);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(affinity(r)).as(bad).startsWith("header; new; ");
    }
  }

  private static int iat;

  private static String hs256(String subject, String secret) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder().subject(subject).claim("n", iat++).build());
    jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }
}
