package dev.tether.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.tether.proxy.http.FramingHarness.Content;
import dev.tether.proxy.http.FramingHarness.Request;
import dev.tether.testing.leak.LeakDetection;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 134 Transfer-Encoding obfuscations of smuggler.py ({@code configs/default.py}: 4 fixed, 13
 * byte values × 10 positions), each sent as the first header of a request that also carries a
 * Content-Length, as smuggler.py does. Each is either refused (400/501, nothing forwarded) or, when
 * the bytes are valid HTTP that hides no Transfer-Encoding field, forwarded framed by
 * Content-Length alone: never as chunked, so no CL/TE disagreement can exist behind us.
 */
@ExtendWith(LeakDetection.class)
class SmugglerMutationsTest {

  private static final int[] BYTES = {
    0x01, 0x04, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1F, 0x20, 0x7F, 0xA0, 0xFF
  };

  /**
   * The only mutations that are valid HTTP: "X: X" followed by SP, HTAB or obs-text and the
   * would-be TE line is just the value of field X.
   */
  private static final Set<String> VALID_WITHOUT_TE =
      Set.of("xprespace-09", "xprespace-20", "xprespace-a0", "xprespace-ff");

  /** The body smuggler.py's CL.TE probe relies on: empty as chunked, 5 bytes by Content-Length. */
  private static final String BODY = "0\r\n\r\n";

  static Map<String, String> mutations() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("nameprefix1", " Transfer-Encoding: chunked");
    m.put("tabprefix1", "Transfer-Encoding:\tchunked");
    m.put("tabprefix2", "Transfer-Encoding\t:\tchunked");
    m.put("space1", "Transfer-Encoding : chunked");
    for (int b : BYTES) {
      String c = String.valueOf((char) b);
      String k = String.format("%02x", b);
      m.put("midspace-" + k, "Transfer-Encoding:" + c + "chunked");
      m.put("postspace-" + k, "Transfer-Encoding" + c + ": chunked");
      m.put("prespace-" + k, c + "Transfer-Encoding: chunked");
      m.put("endspace-" + k, "Transfer-Encoding: chunked" + c);
      m.put("xprespace-" + k, "X: X" + c + "Transfer-Encoding: chunked");
      m.put("endspacex-" + k, "Transfer-Encoding: chunked" + c + "X: X");
      m.put("rxprespace-" + k, "X: X\r" + c + "Transfer-Encoding: chunked");
      m.put("xnprespace-" + k, "X: X" + c + "\nTransfer-Encoding: chunked");
      m.put("endspacerx-" + k, "Transfer-Encoding: chunked\r" + c + "X: X");
      m.put("endspacexn-" + k, "Transfer-Encoding: chunked" + c + "\nX: X");
    }
    return m;
  }

  static Stream<Arguments> cases() {
    return mutations().entrySet().stream().map(e -> arguments(e.getKey(), e.getValue()));
  }

  @Test
  void generatesAll134Mutations() {
    assertThat(mutations()).hasSize(134);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void neverForwardsAnAmbiguousBody(String name, String gadget) {
    String request =
        "POST /?cb=1 HTTP/1.1\r\n"
            + gadget
            + "\r\nHost: example.test\r\n"
            + "Content-type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: "
            + BODY.length()
            + "\r\n\r\n"
            + BODY;
    try (FramingHarness harness = new FramingHarness()) {
      harness.send(request);

      if (VALID_WITHOUT_TE.contains(name)) {
        List<HttpRequest> requests = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        harness
            .forwarded()
            .forEach(
                r -> {
                  if (r instanceof Request q) {
                    requests.add(q.request());
                  } else {
                    body.append(((Content) r).text());
                  }
                });
        assertThat(requests).hasSize(1);
        assertThat(requests.getFirst().headers().contains(HttpHeaderNames.TRANSFER_ENCODING))
            .isFalse();
        assertThat(body).hasToString(BODY);
        assertThat(harness.channel().isOpen()).isTrue();
        assertThat(harness.output()).isEmpty();
      } else {
        int status =
            harness.violations().isEmpty() ? 0 : harness.violations().getFirst().status().code();
        assertThat(status).as("status for %s", name).isIn(400, 501);
        harness.assertRejected(status);
      }
    }
  }
}
