package dev.tether.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS termination and HTTP/2 with real clients: curl over both protocols, h2load with 100 streams
 * on one connection, SNI, certificate reload (good and bad), the redirect listener, HSTS, and the
 * single-flight first assignment of concurrent first streams.
 */
@ExtendWith(LeakDetection.class)
class TlsIntegrationTest {

  @TempDir Path dir;
  private TestCertificates ca;
  private TestCertificates.Files2 site;
  private TestCertificates.Files2 other;
  private final List<TestBackend> backends = new ArrayList<>();
  private ControlPlane tether;
  private int port;

  @BeforeEach
  void start() throws Exception {
    ca = TestCertificates.in(dir);
    site = ca.issue("site", TestCertificates.Kind.EC, "localhost", "a.test");
    other = ca.issue("other", TestCertificates.Kind.RSA, "b.test");
    for (String n : List.of("s1", "s2", "s3")) {
      backends.add(TestBackend.start(n));
    }
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
        """
        listen: 127.0.0.1:0
        workers: 1
        tls:
          certificates:
            - { cert-file: %s, key-file: %s }
            - { cert-file: %s, key-file: %s }
          reload-check: 100ms
          hsts: { max-age: 24h }
        redirect-http: 127.0.0.1:0
        pools:
          web:
            affinity: { mode: cookie, cookie: { name: SRV } }
            servers:
        %s"""
            .formatted(site.cert(), site.key(), other.cert(), other.key(), servers);
    tether = ControlPlane.start(ConfigLoader.parse(yaml, "tls.yaml"));
    port = tether.proxy().port();
  }

  @AfterEach
  void stop() {
    if (tether != null) {
      tether.stop(Duration.ofSeconds(2));
    }
    backends.forEach(TestBackend::close);
  }

  @Test
  void curlSpeaksHttp2AndHttp11OverTlsWithTheTestCa() throws Exception {
    for (String version : List.of("--http2", "--http1.1")) {
      String out =
          Clients.run(
              List.of(
                  Clients.curl(),
                  "-sS",
                  version,
                  "--cacert",
                  ca.caFile().toString(),
                  "--resolve",
                  "a.test:" + port + ":127.0.0.1",
                  "-D",
                  "-",
                  "-w",
                  "\nversion=%{http_version} status=%{http_code}",
                  "https://a.test:" + port + "/"),
              20);

      String expected =
          version.equals("--http2") ? "version=2 status=200" : "version=1.1 status=200";
      assertThat(out).as(out).contains(expected).contains("hello from s");
      assertThat(out.toLowerCase()).contains("strict-transport-security: max-age=86400");
      assertThat(out).containsPattern("(?i)set-cookie: SRV=[^\\r\\n]*; Secure");
      assertThat(out.toLowerCase()).doesNotContain("x-http2-");
    }
  }

  @Test
  void requestsThatCameOverTlsAreForwardedAsHttpsWhateverTheClientClaims() throws Exception {
    for (String version : List.of("--http2", "--http1.1")) {
      String out =
          Clients.run(
              List.of(
                  Clients.curl(),
                  "-sS",
                  version,
                  "--cacert",
                  ca.caFile().toString(),
                  "--resolve",
                  "a.test:" + port + ":127.0.0.1",
                  "-H",
                  "X-Forwarded-Proto: http",
                  "-H",
                  "Forwarded: for=6.6.6.6;proto=http",
                  "https://a.test:" + port + "/headers"),
              20);

      assertThat(out)
          .as(version + ":\n" + out)
          .contains("x-forwarded-proto: https\n")
          .contains("forwarded: for=127.0.0.1;proto=https;host=\"a.test:" + port + "\"\n")
          .doesNotContain("6.6.6.6")
          .doesNotContain("proto=http;")
          .doesNotContain("x-forwarded-proto: http\n");
    }
  }

  @Test
  void requestBodiesLargerThanAStreamWindowReachTheBackendWholeOverHttp2() throws Exception {
    byte[] body = new byte[200_000]; // three times the initial stream window
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) ('a' + i % 26);
    }
    Path file = dir.resolve("body.txt");
    Files.write(file, body);
    // with a Content-Length, and without one (the stream's DATA frames, chunked to the backend)
    for (List<String> framing : List.of(List.<String>of(), List.of("-H", "Content-Length:"))) {
      List<String> command = new ArrayList<>();
      command.addAll(
          List.of(
              Clients.curl(),
              "-sS",
              "--http2",
              "--cacert",
              ca.caFile().toString(),
              "--resolve",
              "a.test:" + port + ":127.0.0.1",
              "--data-binary",
              "@" + file,
              "-H",
              "Content-Type: text/plain",
              "-o",
              dir.resolve("echoed.txt").toString(),
              "-w",
              "version=%{http_version} status=%{http_code}"));
      command.addAll(framing);
      command.add("https://a.test:" + port + "/echo");
      String out = Clients.run(command, 20);
      assertThat(out).as(String.join(" ", command)).isEqualTo("version=2 status=200");
      assertThat(Files.readAllBytes(dir.resolve("echoed.txt"))).isEqualTo(body);
    }
  }

  @Test
  void sniPicksTheCertificateAndTheFirstIsTheDefault() throws Exception {
    try (SSLSocket b = Clients.tls(port, "b.test");
        SSLSocket a = Clients.tls(port, "a.test");
        SSLSocket none = Clients.tls(port, null);
        SSLSocket unknown = Clients.tls(port, "c.test")) {
      assertThat(Clients.leaf(b).getSubjectX500Principal().getName()).isEqualTo("CN=b.test");
      assertThat(Clients.leaf(a).getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
      assertThat(Clients.leaf(none).getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
      assertThat(Clients.leaf(unknown).getSubjectX500Principal().getName())
          .isEqualTo("CN=localhost");
    }
  }

  @Test
  void aReplacedCertificateIsServedToNewConnectionsWhileOldOnesContinue() throws Exception {
    try (SSLSocket old = Clients.tls(port, "a.test")) {
      BigInteger before = Clients.leaf(old).getSerialNumber();
      assertThat(Clients.get(old, "a.test", "/")).startsWith("HTTP/1.1 200");

      TestCertificates.Files2 renewed =
          ca.issue("renewed", TestCertificates.Kind.RSA, "localhost", "a.test");
      Files.move(renewed.key(), site.key(), StandardCopyOption.REPLACE_EXISTING);
      Files.move(renewed.cert(), site.cert(), StandardCopyOption.REPLACE_EXISTING);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                try (SSLSocket fresh = Clients.tls(port, "a.test")) {
                  assertThat(Clients.leaf(fresh).getSerialNumber()).isNotEqualTo(before);
                  assertThat(Clients.leaf(fresh).getPublicKey().getAlgorithm()).isEqualTo("RSA");
                }
              });
      assertThat(Clients.get(old, "a.test", "/")).startsWith("HTTP/1.1 200");
      assertThat(Clients.leaf(old).getSerialNumber()).isEqualTo(before);
      assertThat(tether.serverTls().reloads()).isGreaterThanOrEqualTo(1);
      // the pair is replaced file by file, so a check between the two moves may read the new key
      // with the old certificate once: refused and counted, and the next check takes the pair
      assertThat(tether.serverTls().failedReloads()).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void aBadReplacementIsCountedAndTheOldCertificateStaysInService() throws Exception {
    BigInteger before;
    try (SSLSocket s = Clients.tls(port, "a.test")) {
      before = Clients.leaf(s).getSerialNumber();
    }
    TestCertificates.Files2 unrelated = ca.issue("unrelated", TestCertificates.Kind.EC, "x.test");
    Files.copy(
        unrelated.key(), site.key(), StandardCopyOption.REPLACE_EXISTING); // key no longer matches

    await().atMost(Duration.ofSeconds(10)).until(() -> tether.serverTls().failedReloads() == 1);
    try (SSLSocket s = Clients.tls(port, "a.test")) {
      assertThat(Clients.leaf(s).getSerialNumber()).isEqualTo(before);
      assertThat(Clients.get(s, "a.test", "/")).startsWith("HTTP/1.1 200");
    }
    String metrics =
        tether.analytics().registry().getMeters().stream()
            .filter(
                m ->
                    m.getId().getName().equals("tether.tls.reloads")
                        && "failed".equals(m.getId().getTag("result")))
            .map(m -> String.valueOf(m.measure().iterator().next().getValue()))
            .findFirst()
            .orElse("none");
    assertThat(metrics).isEqualTo("1.0");
  }

  @Test
  void theRedirectListenerSendsCleartextRequestsToHttps() throws Exception {
    int redirect = tether.proxy().redirectPort();
    try (HttpClient c =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()) {
      HttpResponse<String> get =
          c.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + redirect + "/cart?x=1"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> post =
          c.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + redirect + "/pay"))
                  .POST(HttpRequest.BodyPublishers.ofString("a=b"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(get.statusCode()).isEqualTo(301);
      assertThat(get.headers().firstValue("location"))
          .hasValue("https://127.0.0.1:" + port + "/cart?x=1");
      assertThat(post.statusCode()).isEqualTo(308);
      assertThat(post.headers().firstValue("location"))
          .hasValue("https://127.0.0.1:" + port + "/pay");
    }
  }

  @Test
  void h2loadGetsEveryOneOfAHundredConcurrentStreamsOnOneConnectionAnswered() throws Exception {
    String out =
        Clients.run(
            List.of(
                Clients.h2load(),
                "-n",
                "2000",
                "-c",
                "1",
                "-m",
                "100",
                "https://127.0.0.1:" + port + "/"),
            60);

    assertThat(out)
        .as(out)
        .contains("2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored");
    assertThat(out).as(out).contains("status codes: 2000 2xx");
    assertThat(out).as(out).contains("Application protocol: h2");
  }

  @Test
  void backendConnectionsReturnedByABurstOfStreamsAreReusedByTheNext() throws Exception {
    int before = backends.stream().mapToInt(TestBackend::connections).sum();
    // 4 connections x 100 streams: at most 400 requests in flight, so no server ever needs more
    // than 400 connections at once; a pool that closed what a burst returned would reopen them
    // for every later burst (one new connection per few requests). The streams are in flight
    // for real (each answer takes 20 ms)
    String out =
        Clients.run(
            List.of(
                Clients.h2load(),
                "-n",
                "20000",
                "-c",
                "4",
                "-m",
                "100",
                "https://127.0.0.1:" + port + "/slow?ms=20"),
            120);

    assertThat(out)
        .as(out)
        .contains("20000 total, 20000 started, 20000 done, 20000 succeeded, 0 failed");
    int opened = backends.stream().mapToInt(TestBackend::connections).sum() - before;
    assertThat(opened)
        .as("backend connections opened for 20000 requests")
        .isLessThanOrEqualTo(3 * 400);
  }

  @Test
  void twentyConcurrentFirstStreamsOfOneConnectionGoToOneServerWithOneCookie() throws Exception {
    long connectionsBefore = tether.http2Meters().connections();
    // nghttp (next to h2load, in the same package) sends all 20 requests at once on one connection
    String out =
        Clients.run(
            List.of(
                Clients.nghttp(), "-nv", "-m", "20", "https://127.0.0.1:" + port + "/slow?ms=200"),
            30);

    List<String> servers = new ArrayList<>();
    List<String> cookies = new ArrayList<>();
    Matcher m =
        Pattern.compile(
                "(?m)^\\s*\\[[^\\]]*\\] recv \\(stream_id=\\d+\\) (x-server|set-cookie): (\\S+?)(;|$)")
            .matcher(out);
    while (m.find()) {
      (m.group(1).equals("x-server") ? servers : cookies).add(m.group(2));
    }
    assertThat(servers).as(out).hasSize(20);
    assertThat(cookies).as(out).hasSize(20);
    assertThat(new HashSet<>(servers)).hasSize(1);
    assertThat(new HashSet<>(cookies)).hasSize(1);
    assertThat(tether.http2Meters().connections() - connectionsBefore).isEqualTo(1);
  }
}
