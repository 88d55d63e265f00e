package dev.tether.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.proxy.h2.Http2Meters.Flood;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTP/2 in cleartext with prior knowledge (h2c), driven by real clients, and the HTTP/2 floods
 * sent frame by frame over raw sockets: each flood gets GOAWAY and a counter, while h2load, a
 * legitimate client on other connections, keeps being answered.
 */
@ExtendWith(LeakDetection.class)
class Http2FloodIntegrationTest {

  private final List<TestBackend> backends = new ArrayList<>();
  private ControlPlane tether;
  private int port;

  @BeforeEach
  void start() throws Exception {
    for (String n : List.of("s1", "s2")) {
      backends.add(TestBackend.start(n));
    }
    String yaml =
        """
        listen: 127.0.0.1:0
        workers: 1
        http2: { cleartext: true, max-resets: 100, max-control-frames: 200, max-header-list-size: 8k, flood-window: 10s }
        pools:
          web:
            servers:
              - { name: s1, address: 127.0.0.1:%d }
              - { name: s2, address: 127.0.0.1:%d }
        """
            .formatted(backends.get(0).port(), backends.get(1).port());
    tether = ControlPlane.start(ConfigLoader.parse(yaml, "h2c.yaml"));
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
  void curlWithPriorKnowledgeAndPlainHttp11ShareTheListener() throws Exception {
    String h2 =
        Clients.run(
            List.of(
                Clients.curl(),
                "-sS",
                "--http2-prior-knowledge",
                "-w",
                "\nversion=%{http_version} status=%{http_code}",
                "http://127.0.0.1:" + port + "/"),
            20);
    String h1 =
        Clients.run(
            List.of(
                Clients.curl(),
                "-sS",
                "--http1.1",
                "-w",
                "\nversion=%{http_version} status=%{http_code}",
                "http://127.0.0.1:" + port + "/"),
            20);

    assertThat(h2).as(h2).contains("hello from s").contains("version=2 status=200");
    assertThat(h1).as(h1).contains("hello from s").contains("version=1.1 status=200");
  }

  @Test
  void anUpgradeToH2cIsAnsweredInHttp11AndNotPassedToTheBackend() throws Exception {
    // curl --http2 on http:// asks for Upgrade: h2c; the balancer speaks h2c by prior knowledge
    // only
    String out =
        Clients.run(
            List.of(
                Clients.curl(),
                "-sS",
                "--http2",
                "-w",
                "\nversion=%{http_version} status=%{http_code}",
                "http://127.0.0.1:" + port + "/headers"),
            20);

    assertThat(out).as(out).contains("version=1.1 status=200");
    assertThat(out.toLowerCase()).doesNotContain("upgrade: h2c").doesNotContain("http2-settings");
  }

  @Test
  void h2loadGetsEveryOneOfAHundredStreamsOnOneCleartextConnection() throws Exception {
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
                "http://127.0.0.1:" + port + "/"),
            60);

    assertThat(out)
        .as(out)
        .contains("2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored");
    assertThat(out).as(out).contains("Application protocol: h2c");
  }

  /**
   * A field value with CR LF would become a second header line on the HTTP/1.1 hop to the backend
   * (request smuggling by downgrade): the HTTP/2 header decoder refuses it for the connection, and
   * nothing of that request reaches a backend.
   */
  @Test
  void aHeaderValueWithCrLfNeverReachesABackend() throws Exception {
    try (RawH2 c = RawH2.connect(port)) {
      byte[] get = RawH2.getBlock("/headers");
      byte[] bad = RawH2.literalHeader("x-note", "a\r\nx-injected: 1");
      byte[] block = java.util.Arrays.copyOf(get, get.length + bad.length);
      System.arraycopy(bad, 0, block, get.length, bad.length);
      c.headers(1, RawH2.END_STREAM | RawH2.END_HEADERS, block);

      assertThat(c.awaitStreamEnd(1)).isIn("goaway:" + RawH2.COMPRESSION_ERROR, "rst:1");
    }
    java.net.http.HttpResponse<String> after =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/after"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(after.statusCode()).isEqualTo(200);
    for (TestBackend b : backends) {
      assertThat(b.received())
          .as("requests %s received", b.name())
          .noneMatch(r -> r.uri().startsWith("/headers"))
          .noneMatch(r -> r.headers().containsKey("x-injected"));
    }
  }

  @Test
  void rapidResetIsAnsweredWithEnhanceYourCalm() throws Exception {
    try (RawH2 c = RawH2.connect(port)) {
      byte[] get = RawH2.getBlock("/");
      for (int i = 0, stream = 1; i < 300; i++, stream += 2) {
        c.headers(stream, RawH2.END_STREAM | RawH2.END_HEADERS, get);
        c.reset(stream);
      }
      c.flush();

      assertThat(c.awaitGoAway()).isEqualTo(RawH2.ENHANCE_YOUR_CALM);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> tether.http2Meters().floods(Flood.RAPID_RESET) == 1);
  }

  @Test
  void aContinuationFloodEndsAtTheHeaderListLimit() throws Exception {
    try (RawH2 c = RawH2.connect(port)) {
      c.headers(1, RawH2.END_STREAM, RawH2.getBlock("/"));
      byte[] filler = RawH2.literalHeader("x-filler", "a".repeat(1000));
      for (int i = 0; i < 200; i++) { // 200 KB of header block, never ended
        c.frame(RawH2.CONTINUATION, 0, 1, filler);
      }
      c.flush();

      assertThat(c.awaitGoAway()).isIn(RawH2.PROTOCOL_ERROR, RawH2.ENHANCE_YOUR_CALM);
    } catch (java.net.SocketException closedWhileWriting) {
      // the balancer may close before the whole block is written; the counter says why
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> tether.http2Meters().floods(Flood.CONTINUATION) == 1);
  }

  @Test
  void pingAndSettingsFloodsAreClosedWithEnhanceYourCalm() throws Exception {
    try (RawH2 c = RawH2.connect(port)) {
      for (int i = 0; i < 300; i++) {
        c.ping(i);
      }
      c.flush();
      assertThat(c.awaitGoAway()).isEqualTo(RawH2.ENHANCE_YOUR_CALM);
    }
    try (RawH2 c = RawH2.connect(port)) {
      for (int i = 0; i < 300; i++) {
        c.settings();
      }
      c.flush();
      assertThat(c.awaitGoAway()).isEqualTo(RawH2.ENHANCE_YOUR_CALM);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> tether.http2Meters().floods(Flood.CONTROL_FRAMES) == 2);
  }

  @Test
  void legitimateClientsAreServedWhileOtherConnectionsFlood() throws Exception {
    Process load =
        new ProcessBuilder(
                Clients.h2load(),
                "-n",
                "4000",
                "-c",
                "4",
                "-m",
                "10",
                "http://127.0.0.1:" + port + "/")
            .redirectErrorStream(true)
            .start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (InputStream in = load.getInputStream()) {
                    in.transferTo(out);
                  } catch (java.io.IOException e) {
                    // h2load went away; what it printed is kept
                  }
                });
    int floods = 0;
    byte[] get = RawH2.getBlock("/");
    do { // at least one round of each flood, and more for as long as the legitimate load runs
      try (RawH2 c = RawH2.connect(port)) {
        for (int i = 0, stream = 1; i < 300; i++, stream += 2) {
          c.headers(stream, RawH2.END_STREAM | RawH2.END_HEADERS, get);
          c.reset(stream);
        }
        c.flush();
        assertThat(c.awaitGoAway()).isEqualTo(RawH2.ENHANCE_YOUR_CALM);
      }
      try (RawH2 c = RawH2.connect(port)) {
        for (int i = 0; i < 300; i++) {
          c.ping(i);
        }
        c.flush();
        assertThat(c.awaitGoAway()).isEqualTo(RawH2.ENHANCE_YOUR_CALM);
      }
      floods += 2;
    } while (load.isAlive() && floods < 200);

    assertThat(load.waitFor(60, TimeUnit.SECONDS)).as("h2load finishes").isTrue();
    reader.join();
    String report = out.toString(StandardCharsets.UTF_8);
    assertThat(report)
        .as(report)
        .contains("4000 total, 4000 started, 4000 done, 4000 succeeded, 0 failed, 0 errored");
    int sent = floods;
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                tether.http2Meters().floods(Flood.RAPID_RESET)
                        + tether.http2Meters().floods(Flood.CONTROL_FRAMES)
                    == sent);
  }
}
