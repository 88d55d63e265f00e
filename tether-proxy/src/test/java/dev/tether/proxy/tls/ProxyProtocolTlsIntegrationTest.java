package dev.tether.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PROXY protocol header in front of TLS or of h2c, as a layer-4 balancer (an AWS NLB, HAProxy in
 * TCP mode) sends it: the client it names is the one forwarded for every request of the connection,
 * over HTTP/1.1 and over each HTTP/2 stream. The header arrives before the handshake or the
 * preface, so before the connection knows which protocol it will speak, and the relay here sends it
 * in a segment of its own, before the client has sent anything.
 */
@ExtendWith(LeakDetection.class)
class ProxyProtocolTlsIntegrationTest {

  private static final String CLIENT = "198.51.100.7";

  @TempDir Path dir;
  private TestBackend backend;
  private ControlPlane tether;
  private Relay relay;

  @AfterEach
  void stop() throws IOException {
    if (relay != null) {
      relay.close();
    }
    if (tether != null) {
      tether.stop(Duration.ofSeconds(2));
    }
    if (backend != null) {
      backend.close();
    }
  }

  private void start(String listener) throws Exception {
    backend = TestBackend.start("s1");
    String yaml =
        """
        listen: 127.0.0.1:0
        workers: 1
        proxy-protocol: true
        trusted-proxies: [127.0.0.1]
        %s
        pools:
          web:
            servers:
              - { name: s1, address: 127.0.0.1:%d }
        """
            .formatted(listener, backend.port());
    tether = ControlPlane.start(ConfigLoader.parse(yaml, "proxied.yaml"));
    relay = new Relay(tether.proxy().port(), CLIENT);
  }

  @Test
  void theClientOfAProxyHeaderBeforeTlsIsForwardedOverHttp2AndHttp11() throws Exception {
    TestCertificates ca = TestCertificates.in(dir);
    TestCertificates.Files2 site = ca.issue("site", TestCertificates.Kind.EC, "localhost");
    start(
        """
        tls:
          certificates:
            - { cert-file: %s, key-file: %s }"""
            .formatted(site.cert(), site.key()));
    for (String version : List.of("--http2", "--http1.1")) {
      String out =
          Clients.run(
              List.of(
                  Clients.curl(),
                  "-sS",
                  version,
                  "--cacert",
                  ca.caFile().toString(),
                  "https://localhost:" + relay.port() + "/headers",
                  "https://localhost:" + relay.port() + "/headers"),
              20);
      assertForwardedFor(version, out, "https");
    }
  }

  @Test
  void theClientOfAProxyHeaderBeforeAnH2cPrefaceIsForwardedForEveryStream() throws Exception {
    start("http2: { cleartext: true }");
    String url = "http://127.0.0.1:" + relay.port() + "/headers";
    // nghttp: two streams on one connection (curl 7.88 cannot reuse a prior-knowledge connection)
    assertForwardedFor("h2c", Clients.run(List.of(Clients.nghttp(), "-m", "2", url), 20), "http");
    assertForwardedFor(
        "--http1.1",
        Clients.run(List.of(Clients.curl(), "-sS", "--http1.1", url, url), 20),
        "http");
  }

  @Test
  void theClientOfAProxyHeaderSentOnItsOwnIsForwardedByAPlainListener() throws Exception {
    start("");
    String url = "http://127.0.0.1:" + relay.port() + "/headers";
    assertForwardedFor(
        "--http1.1",
        Clients.run(List.of(Clients.curl(), "-sS", "--http1.1", url, url), 20),
        "http");
  }

  private static void assertForwardedFor(String version, String out, String proto) {
    assertThat(out.split("x-forwarded-for: " + CLIENT + "\n", -1))
        .as(version + ": both requests of the connection name the proxied client\n" + out)
        .hasSize(3);
    assertThat(out)
        .as(version + ":\n" + out)
        .contains("forwarded: for=" + CLIENT + ";proto=" + proto)
        .doesNotContain("x-forwarded-for: 127.0.0.1");
  }

  /**
   * A layer-4 proxy on loopback: each connection it accepts is relayed to the balancer behind a
   * PROXY v1 header that names {@code client}.
   */
  private static final class Relay implements AutoCloseable {
    private final ServerSocket server;

    Relay(int target, String client) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread.ofVirtual()
          .start(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket in = server.accept();
                    Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                    out.getOutputStream()
                        .write(
                            ("PROXY TCP4 " + client + " 127.0.0.1 40000 443\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                    pump(in, out);
                    pump(out, in);
                  } catch (IOException closed) {
                    return;
                  }
                }
              });
    }

    int port() {
      return server.getLocalPort();
    }

    private static void pump(Socket from, Socket to) {
      Thread.ofVirtual()
          .start(
              () -> {
                try (InputStream i = from.getInputStream()) {
                  OutputStream o = to.getOutputStream();
                  i.transferTo(o);
                } catch (IOException gone) {
                  // the other direction closes both
                } finally {
                  try {
                    to.close();
                    from.close();
                  } catch (IOException ignored) {
                    // already closed
                  }
                }
              });
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
