package dev.tether.proxy.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.tether.proxy.config.Cidr;
import dev.tether.proxy.config.Durations;
import dev.tether.proxy.config.HostPort;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValueFormatsTest {

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "500ms, 500",
    "2s, 2000",
    "1m, 60000",
    "1h, 3600000",
    "365d, 31536000000",
    "0s, 0",
    "90s, 90000"
  })
  void durations(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "2x", "1.5s", "-1s", "2 s", "s", "1w", "2S", "1m30s", "ms"})
  void badDurations(String text) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Durations.parse(text))
        .withMessage(
            "'" + text + "' is not a duration; use a number with ms, s, m, h or d, e.g. 2s");
  }

  @Test
  void bareNumberOtherThanZeroIsRejectedWithAHint() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Durations.parse("30"))
        .withMessage("'30' has no unit; use a number with ms, s, m, h or d, e.g. 30s or 30ms");
  }

  @Test
  void durationFormatIsTheShortestExactForm() {
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofMinutes(120))).isEqualTo("2h");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0");
  }

  @ParameterizedTest
  @CsvSource({"512, 512", "0, 0", "16k, 16384", "1m, 1048576", "2g, 2147483648", "8K, 8192"})
  void sizes(String text, long bytes) {
    assertThat(ByteSizes.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "16kb", "1.5k", "-1", "k", "16 k", "1t"})
  void badSizes(String text) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ByteSizes.parse(text))
        .withMessageStartingWith("'" + text + "' is not a size; ");
  }

  @Test
  void hugeSizeOverflowsCleanly() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ByteSizes.parse("999999999999g"))
        .withMessage("'999999999999g' is too large");
  }

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1:8080, 127.0.0.1, 8080, 127.0.0.1:8080",
    "[::1]:9000, ::1, 9000, [::1]:9000",
    "[2001:db8::5]:0, 2001:db8::5, 0, [2001:db8::5]:0",
    "example.com:65535, example.com, 65535, example.com:65535",
    "localhost:1, localhost, 1, localhost:1"
  })
  void addresses(String text, String host, int port, String printed) {
    HostPort hp = HostPort.parse(text);
    assertThat(hp).isEqualTo(new HostPort(host, port));
    assertThat(hp.toString()).isEqualTo(printed);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "localhost | 'localhost' has no port; use host:port or [ipv6]:port, e.g. 127.0.0.1:8080",
        ":8080 | ':8080' has no host; use 0.0.0.0 for every interface, e.g. 0.0.0.0:8080",
        "host:65536 | port 65536 in 'host:65536' is out of range 0..65535",
        "host:http | 'http' in 'host:http' is not a port; use a number 0..65535",
        "host: | '' in 'host:' is not a port; use a number 0..65535",
        "::1:80 | '::1:80': an IPv6 address needs brackets, e.g. [::1]:8080",
        "[::g]:80 | '::g' in '[::g]:80' is not an IPv6 address; use host:port or [ipv6]:port, e.g. 127.0.0.1:8080",
        "[::1]80 | '[::1]80' is not an address; use host:port or [ipv6]:port, e.g. 127.0.0.1:8080",
        "300.1.1.1:80 | '300.1.1.1' in '300.1.1.1:80' is not an IPv4 address (four numbers 0..255)",
        "bad_host:80 | 'bad_host' in 'bad_host:80' is not a host name (letters, digits, '-' and '.')",
        "-a.com:80 | '-a.com' in '-a.com:80' is not a host name (letters, digits, '-' and '.')"
      })
  void badAddresses(String text, String message) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> HostPort.parse(text))
        .withMessage(message);
  }

  @Test
  void loopbackAndWildcardNeedNoDns() {
    assertThat(HostPort.parse("127.0.0.2:1").isLoopback()).isTrue();
    assertThat(HostPort.parse("[::1]:1").isLoopback()).isTrue();
    assertThat(HostPort.parse("localhost:1").isLoopback()).isTrue();
    assertThat(HostPort.parse("10.0.0.1:1").isLoopback()).isFalse();
    assertThat(HostPort.parse("example.com:1").isLoopback()).isFalse();
    assertThat(HostPort.parse("0.0.0.0:1").isWildcard()).isTrue();
    assertThat(HostPort.parse("[::]:1").isWildcard()).isTrue();
    assertThat(HostPort.parse("127.0.0.1:1").isWildcard()).isFalse();
  }

  @Test
  void cidrContainsIpv4AndIpv6() throws Exception {
    Cidr v4 = Cidr.parse("192.168.0.0/16");
    assertThat(v4.contains(InetAddress.getByName("192.168.255.1"))).isTrue();
    assertThat(v4.contains(InetAddress.getByName("192.169.0.1"))).isFalse();
    assertThat(v4.contains(InetAddress.getByName("::1"))).isFalse();
    Cidr v6 = Cidr.parse("2001:db8::/32");
    assertThat(v6.contains(InetAddress.getByName("2001:db8:ffff::1"))).isTrue();
    assertThat(v6.contains(InetAddress.getByName("2001:db9::1"))).isFalse();
    assertThat(v6.contains(InetAddress.getByName("10.0.0.1"))).isFalse();
    Cidr odd = Cidr.parse("10.0.0.0/13");
    assertThat(odd.contains(InetAddress.getByName("10.7.255.255"))).isTrue();
    assertThat(odd.contains(InetAddress.getByName("10.8.0.0"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("8.8.8.8"))).isTrue();
    assertThat(Cidr.parse("::/0").contains(InetAddress.getByName("fe80::1"))).isTrue();
    Cidr host = Cidr.parse("10.1.2.3");
    assertThat(host.prefixLength()).isEqualTo(32);
    assertThat(host.contains(InetAddress.getByName("10.1.2.3"))).isTrue();
    assertThat(host.contains(InetAddress.getByName("10.1.2.4"))).isFalse();
    assertThat(Cidr.parse("::1").prefixLength()).isEqualTo(128);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "10.0.0.1/8 | '10.0.0.1/8' has host bits set beyond /8; did you mean 10.0.0.0/8?",
        "10.0.0.0/33 | '33' in '10.0.0.0/33' is not a prefix length; use 0..32",
        "fd00::/129 | '129' in 'fd00::/129' is not a prefix length; use 0..128",
        "10.0.0.0/ | '' in '10.0.0.0/' is not a prefix length; use 0..32",
        "example.com/8 | 'example.com/8' is not a network; use an IP address with an optional /prefix, e.g. 10.0.0.0/8 or fd00::/8",
        "::ffff:10.0.0.0/104 | '::ffff:10.0.0.0/104' is an IPv4-mapped IPv6 address; write the IPv4 network instead"
      })
  void badCidrs(String text, String message) {
    assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse(text)).withMessage(message);
  }

  @Test
  void keySuggestionsAreForTyposOnly() {
    var known = java.util.List.of("interval", "timeout", "path", "rise", "fall");
    assertThat(KeySuggester.closest("intervall", known)).contains("interval");
    assertThat(KeySuggester.closest("timout", known)).contains("timeout");
    assertThat(KeySuggester.closest("Path", known)).contains("path");
    assertThat(KeySuggester.closest("colour", known)).isEmpty();
  }
}
