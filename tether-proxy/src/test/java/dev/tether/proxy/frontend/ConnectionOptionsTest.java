package dev.tether.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The header names a {@code Connection} value lists, and their removal with the hop's headers. */
class ConnectionOptionsTest {

  private static List<String> options(String value) {
    return ForwardingHeaders.connectionOptions(value, null);
  }

  @Test
  void theConnectionsOwnTokensNameNoHeader() {
    assertThat(options("keep-alive")).isNull();
    assertThat(options("Close")).isNull();
    assertThat(options(" Keep-Alive ,UPGRADE, close")).isNull();
    assertThat(options("")).isNull();
    assertThat(options(" , ,\t,")).isNull();
  }

  @Test
  void otherTokensAreNamedTrimmedInOrder() {
    assertThat(options("close, X-Foo ,\tupgrade,bar,")).containsExactly("X-Foo", "bar");
    assertThat(options("keep-alives")).containsExactly("keep-alives");
    assertThat(options("clos")).containsExactly("clos");
    assertThat(options("TE")).containsExactly("TE");
  }

  @Test
  void optionsOfSeveralConnectionHeadersAddUp() {
    List<String> named = ForwardingHeaders.connectionOptions("x-a", null);
    named = ForwardingHeaders.connectionOptions("keep-alive, x-b", named);
    assertThat(named).containsExactly("x-a", "x-b");
  }

  @Test
  void strippingRemovesTheNamedHeadersButNeverTheFraming() {
    HttpHeaders h = new DefaultHttpHeaders();
    h.add("Connection", "keep-alive, X-Secret")
        .add("Connection", "Content-Length, transfer-encoding, x-other")
        .add("X-Secret", "1")
        .add("X-Other", "2")
        .add("Content-Length", "3")
        .add("Keep-Alive", "timeout=5")
        .add("Tether-Binding", "forged")
        .add("Upgrade", "h2c")
        .add("X-Kept", "yes");

    ForwardingHeaders.stripHopByHop(h, false);

    assertThat(h.names()).containsExactlyInAnyOrder("Content-Length", "X-Kept");
  }
}
