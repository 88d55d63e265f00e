package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.ConfigException;
import dev.tether.proxy.config.ConfigProblem;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import dev.tether.testing.backend.TestBackend;
import dev.tether.testing.leak.LeakDetection;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PROXY protocol v1 and v2 on the listener: the header's client counts only from trusted proxies.
 */
@ExtendWith(LeakDetection.class)
class ProxyProtocolIntegrationTest {

  private static ControlPlane start(TestBackend b, String trusted) throws Exception {
    String yaml =
        "listen: 127.0.0.1:0\nworkers: 1\nproxy-protocol: true\ntrusted-proxies: ["
            + trusted
            + "]\n"
            + "pools:\n  web:\n    servers:\n      - { name: s1, address: 127.0.0.1:"
            + b.port()
            + " }\n";
    return ControlPlane.start(ConfigLoader.parse(yaml, "test.yaml", Map.<String, String>of()::get));
  }

  /** Sends {@code preface} and a GET /headers on a raw connection; the backend's answer. */
  private static String exchange(ControlPlane t, byte[] preface) throws Exception {
    try (Socket s = new Socket("127.0.0.1", t.proxy().port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(preface);
      out.write(
          "GET /headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      return all.toString(StandardCharsets.US_ASCII);
    }
  }

  private static byte[] v2(byte[] src, byte[] dst) {
    byte[] sig = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    byte[] b = new byte[16 + 12];
    System.arraycopy(sig, 0, b, 0, 12);
    b[12] = 0x21; // version 2, PROXY
    b[13] = 0x11; // TCP over IPv4
    b[15] = 12;
    System.arraycopy(src, 0, b, 16, 4);
    System.arraycopy(dst, 0, b, 20, 4);
    b[24] = 0x15; // source port 5555
    b[25] = (byte) 0xB3;
    b[27] = 80;
    return b;
  }

  @Test
  void v1AndV2HeadersFromATrustedProxyNameTheClient() throws Exception {
    try (TestBackend b = TestBackend.start("s1")) {
      ControlPlane t = start(b, "127.0.0.1");
      try {
        String v1 =
            exchange(
                t,
                "PROXY TCP4 198.51.100.7 10.0.0.1 5555 80\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(v1).startsWith("HTTP/1.1 200").contains("x-forwarded-for: 198.51.100.7");
        String v2 = exchange(t, v2(new byte[] {(byte) 203, 0, 113, 9}, new byte[] {10, 0, 0, 1}));
        assertThat(v2).startsWith("HTTP/1.1 200").contains("x-forwarded-for: 203.0.113.9");
      } finally {
        t.stop(Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void aHeaderFromAnUntrustedPeerIsDecodedButNotBelieved() throws Exception {
    try (TestBackend b = TestBackend.start("s1")) {
      ControlPlane t = start(b, "192.0.2.1");
      try {
        String r =
            exchange(
                t,
                "PROXY TCP4 198.51.100.7 10.0.0.1 5555 80\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(r)
            .startsWith("HTTP/1.1 200")
            .contains("x-forwarded-for: 127.0.0.1")
            .doesNotContain("198.51.100.7");
      } finally {
        t.stop(Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void proxyProtocolWithoutTrustedProxiesIsAConfigError() {
    String yaml =
        "listen: 127.0.0.1:0\nproxy-protocol: true\npools:\n  web:\n    servers:\n"
            + "      - { name: s1, address: 127.0.0.1:9001 }\n";
    try {
      ConfigLoader.parse(yaml, "t.yaml", Map.<String, String>of()::get);
      throw new AssertionError("expected a configuration error");
    } catch (ConfigException e) {
      assertThat(e.problems())
          .extracting(ConfigProblem::path, ConfigProblem::line)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("proxy-protocol", 2));
      assertThat(e.problems().get(0).message()).contains("trusted proxies");
    }
  }
}
