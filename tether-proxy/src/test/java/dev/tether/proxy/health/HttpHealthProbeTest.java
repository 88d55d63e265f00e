package dev.tether.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP probe against real servers on loopback. */
@ExtendWith(LeakDetection.class)
class HttpHealthProbeTest {

  private static final Duration TIMEOUT = Duration.ofMillis(500);
  private final HttpHealthProbe probe = new HttpHealthProbe("/health");

  private static InetSocketAddress local(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  @Test
  void passesOn2xxAndFailsOn5xx() {
    try (TestBackend b = TestBackend.start("s1")) {
      HealthProbe.Result ok = probe.probe(local(b.port()), TIMEOUT);
      assertThat(ok).isEqualTo(new HealthProbe.Result(true, "HTTP 200", AgentReport.NONE));
      assertThat(b.received())
          .last()
          .satisfies(
              r -> {
                assertThat(r.uri()).isEqualTo("/health");
                assertThat(r.headers()).containsEntry("user-agent", "tether-health-check");
              });

      b.healthy(false);
      assertThat(probe.probe(local(b.port()), TIMEOUT))
          .isEqualTo(new HealthProbe.Result(false, "HTTP 503", AgentReport.NONE));
    }
  }

  @Test
  void failsOnARefusedConnectionAndAnUnresolvedAddress() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    HealthProbe.Result refused = probe.probe(local(port), TIMEOUT);
    assertThat(refused.passed()).isFalse();
    assertThat(refused.detail()).contains("ConnectException");

    HealthProbe.Result unresolved =
        probe.probe(InetSocketAddress.createUnresolved("no-such-host.invalid", 80), TIMEOUT);
    assertThat(unresolved)
        .isEqualTo(HealthProbe.Result.fail("address no-such-host.invalid does not resolve"));
  }

  @Test
  void failsWithinTheTimeoutWhenTheServerNeverAnswers() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new CopyOnWriteArrayList<>();
      Thread acceptor =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      accepted.add(silent.accept());
                    } catch (IOException e) {
                      // closed by the test
                    }
                  });
      long start = System.nanoTime();
      HealthProbe.Result r = probe.probe(local(silent.getLocalPort()), Duration.ofMillis(200));
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(r).isEqualTo(HealthProbe.Result.fail("no answer within 200 ms"));
      assertThat(tookMs).as("bounded by the timeout, with scheduling slack").isLessThan(5_000);
      silent.close();
      acceptor.join();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  @Test
  void failsOnAnAnswerThatIsNotHttp() throws Exception {
    try (ServerSocket liar = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread server =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (Socket s = liar.accept();
                        OutputStream out = s.getOutputStream()) {
                      out.write("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
                      out.flush();
                    } catch (IOException e) {
                      // the probe may close first
                    }
                  });
      assertThat(probe.probe(local(liar.getLocalPort()), TIMEOUT))
          .isEqualTo(HealthProbe.Result.fail("not an HTTP status line: SSH-2.0-OpenSSH_9.2"));
      server.join();
    }
  }

  @Test
  void readsOnlyWellFormedStatusLines() {
    assertThat(HealthResponse.statusOf("HTTP/1.1 204 No Content")).isEqualTo(204);
    assertThat(HealthResponse.statusOf("HTTP/1.0 301")).isEqualTo(301);
    assertThat(HealthResponse.statusOf("HTTP/1.1 2000 OK")).isEqualTo(-1);
    assertThat(HealthResponse.statusOf("HTTP/2 200 OK")).isEqualTo(-1);
    assertThat(HealthResponse.statusOf("HTTP/1.1 20x OK")).isEqualTo(-1);
  }

  @Test
  void aPathMustBeARequestPath() {
    assertThatThrownBy(() -> new HttpHealthProbe("health"))
        .hasMessageContaining("must start with /");
    assertThatThrownBy(() -> new HttpHealthProbe("/a b")).hasMessageContaining("no spaces");
  }
}
