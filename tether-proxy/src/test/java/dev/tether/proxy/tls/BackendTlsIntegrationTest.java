package dev.tether.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to backends ({@code pools.NAME.tls}) against real HTTPS servers: the CA, the server name sent
 * and verified, {@code verify: false}, and health checks that speak TLS too.
 */
@ExtendWith(LeakDetection.class)
class BackendTlsIntegrationTest {

  @TempDir Path dir;
  private TlsBackend trusted;
  private TlsBackend trustedToo;
  private TlsBackend trustedThree;
  private TlsBackend foreign;
  private TlsBackend foreignToo;
  private TestBackend plain;
  private ControlPlane tether;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception {
    TestCertificates ca =
        TestCertificates.in(java.nio.file.Files.createDirectory(dir.resolve("ca")));
    TestCertificates otherCa =
        TestCertificates.in(java.nio.file.Files.createDirectory(dir.resolve("other-ca")));
    // one address per tls setting: connections are pooled by address, so pools that share one agree
    // on tls
    TestCertificates.Files2 backendCert =
        ca.issue("backend", TestCertificates.Kind.EC, "backend.test");
    trusted = new TlsBackend("trusted", backendCert);
    trustedToo = new TlsBackend("trusted", backendCert);
    trustedThree = new TlsBackend("trusted", backendCert);
    TestCertificates.Files2 foreignCert =
        otherCa.issue("foreign", TestCertificates.Kind.RSA, "backend.test");
    foreign = new TlsBackend("foreign", foreignCert);
    foreignToo = new TlsBackend("foreign", foreignCert);
    plain = TestBackend.start("plain");
    String health = "health: { path: /health, interval: 500ms, timeout: 500ms, rise: 1, fall: 1 }";
    String yaml =
        """
        listen: 127.0.0.1:0
        workers: 1
        pools:
          named:
            tls: { ca-file: %1$s, server-name: backend.test }
            %2$s
            servers: [ { name: t1, address: 127.0.0.1:%3$d } ]
          by-address:
            tls: { ca-file: %1$s }
            servers: [ { name: t2, address: 127.0.0.1:%6$d } ]
          wrong-name:
            tls: { ca-file: %1$s, server-name: elsewhere.test }
            %2$s
            servers: [ { name: t3, address: 127.0.0.1:%7$d } ]
          untrusted:
            tls: { ca-file: %1$s, server-name: backend.test }
            %2$s
            servers: [ { name: f1, address: 127.0.0.1:%4$d } ]
          unverified:
            tls: { verify: false }
            servers: [ { name: f2, address: 127.0.0.1:%8$d } ]
          not-tls:
            tls: { ca-file: %1$s }
            servers: [ { name: p1, address: 127.0.0.1:%5$d } ]
        routes:
          - { path-prefix: /named, pool: named }
          - { path-prefix: /by-address, pool: by-address }
          - { path-prefix: /wrong-name, pool: wrong-name }
          - { path-prefix: /untrusted, pool: untrusted }
          - { path-prefix: /unverified, pool: unverified }
          - { path-prefix: /not-tls, pool: not-tls }
        """
            .formatted(
                ca.caFile(),
                health,
                trusted.port(),
                foreign.port(),
                plain.port(),
                trustedToo.port(),
                trustedThree.port(),
                foreignToo.port());
    tether = ControlPlane.start(ConfigLoader.parse(yaml, "backend-tls.yaml"));
  }

  @AfterEach
  void stop() {
    if (tether != null) {
      tether.stop(Duration.ofSeconds(2));
    }
    for (AutoCloseable c :
        new AutoCloseable[] {trusted, trustedToo, trustedThree, foreign, foreignToo, plain}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tether.proxy().port() + path))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void requestsReachATrustedBackendOverTlsWithTheConfiguredServerName() throws Exception {
    HttpResponse<String> r = get("/named/x");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("hello from trusted over TLSv1.").contains("sni=backend.test");
    await().atMost(Duration.ofSeconds(20)).until(() -> tether.healthChecker("named").healthy("t1"));
  }

  @Test
  void withoutAServerNameTheAddressIsVerifiedAndNoSniIsSent() throws Exception {
    HttpResponse<String> r = get("/by-address/x");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("hello from trusted")
        .endsWith("sni=\n"); // an IP address is never sent as SNI
  }

  @Test
  void aCertificateForAnotherNameOrFromAnotherCaIsRefused() throws Exception {
    // 502 while the server is still up (the handshake fails), 503 once its health check failed too
    assertThat(get("/wrong-name/x").statusCode()).isIn(502, 503);
    assertThat(get("/untrusted/x").statusCode()).isIn(502, 503);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                !tether.healthChecker("wrong-name").healthy("t3")
                    && !tether.healthChecker("untrusted").healthy("f1"));
    // the health checks hold the servers down, and a down pool answers 503
    await().atMost(Duration.ofSeconds(20)).until(() -> get("/untrusted/x").statusCode() == 503);
  }

  @Test
  void verifyFalseAcceptsAnyCertificate() throws Exception {
    HttpResponse<String> r = get("/unverified/x");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("hello from foreign");
  }

  @Test
  void aPlainBackendInATlsPoolIsABadGatewayNotAHang() throws Exception {
    HttpResponse<String> r = get("/not-tls/x");

    assertThat(r.statusCode()).isEqualTo(502);
  }
}
