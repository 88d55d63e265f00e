package dev.tether.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.TrustedProxies;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

  private final TrustedProxies trusted =
      new TrustedProxies(
          List.of(
              a -> a.getHostAddress().startsWith("10."),
              a -> a.getHostAddress().equals("192.0.2.1")));

  private static HttpHeaders headers(String... nv) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < nv.length; i += 2) {
      h.add(nv[i], nv[i + 1]);
    }
    return h;
  }

  @Test
  void aSpoofedForwardedForFromAnUntrustedPeerIsIgnored() {
    HttpHeaders h = headers("X-Forwarded-For", "198.51.100.7", "Forwarded", "for=198.51.100.8");
    assertThat(ClientAddress.resolve(h, "203.0.113.5", false, trusted)).isEqualTo("203.0.113.5");
  }

  @Test
  void aTrustedProxysForwardedForIsReadRightToLeftSkippingTrustedHops() {
    HttpHeaders h = headers("X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.1.2.3");
    // 6.6.6.6 was written by the client itself; the first untrusted hop from the right is the
    // client.
    assertThat(ClientAddress.resolve(h, "10.0.0.1", true, trusted)).isEqualTo("198.51.100.7");
    HttpHeaders two = headers("X-Forwarded-For", "6.6.6.6", "X-Forwarded-For", "198.51.100.9");
    assertThat(ClientAddress.resolve(two, "10.0.0.1", true, trusted)).isEqualTo("198.51.100.9");
  }

  @Test
  void forwardedForWithPortsQuotesAndIpv6() {
    assertThat(
            ClientAddress.resolve(
                headers("Forwarded", "for=\"198.51.100.7:4711\";proto=https"),
                "10.0.0.1",
                true,
                trusted))
        .isEqualTo("198.51.100.7");
    assertThat(
            ClientAddress.resolve(
                headers("Forwarded", "for=\"[2001:db8::7]:4711\", for=10.9.9.9"),
                "10.0.0.1",
                true,
                trusted))
        .isEqualTo("2001:db8:0:0:0:0:0:7");
  }

  @Test
  void namesAndObfuscatedIdentifiersAreNotAddresses() {
    assertThat(
            ClientAddress.resolve(
                headers("X-Forwarded-For", "evil.example"), "10.0.0.1", true, trusted))
        .isEqualTo("10.0.0.1");
    assertThat(
            ClientAddress.resolve(headers("Forwarded", "for=_hidden"), "10.0.0.1", true, trusted))
        .isEqualTo("10.0.0.1");
    assertThat(ClientAddress.literal("beef.cafe")).isNull();
  }
}
