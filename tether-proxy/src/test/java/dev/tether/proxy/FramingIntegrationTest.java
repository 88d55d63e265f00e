package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testing.leak.LeakDetection;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every framing violation of {@code FramingViolationCasesTest}, sent over a real socket to the
 * proxy in front of a real backend: the status is the one named, the response says {@code
 * Connection: close}, the proxy closes the connection, and the backend receives nothing.
 */
@ExtendWith(LeakDetection.class)
class FramingIntegrationTest {

  private static ProxyFixture fixture;

  @BeforeAll
  static void start() {
    fixture = ProxyFixture.of("s1");
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tether.proxy.http.FramingViolationCasesTest#cases")
  void rejectsAndClosesWithoutForwarding(String name, String request, int status, String reason)
      throws Exception {
    try (Socket s = new Socket("127.0.0.1", fixture.proxy.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      String response = readToEnd(s.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 " + status + " ");
      assertThat(response.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
      assertThat(response).contains(reason);
    }
    // readToEnd returned: the proxy closed the connection.
    assertThat(fixture.backend("s1").requests()).as("requests that reached the backend").isZero();
    assertThat(fixture.backend("s1").connections()).as("connections the backend accepted").isZero();
  }

  private static String readToEnd(InputStream in) throws java.io.IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
