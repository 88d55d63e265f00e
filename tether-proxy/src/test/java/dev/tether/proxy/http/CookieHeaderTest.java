package dev.tether.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CookieHeaderTest {

  @Test
  void findsTheNamedCookieAmongOthers() {
    String header = "theme=dark; TETHER=abc.def; lang=en";

    assertThat(CookieHeader.value(header, "TETHER")).isEqualTo("abc.def");
    assertThat(CookieHeader.value(header, "theme")).isEqualTo("dark");
    assertThat(CookieHeader.value(header, "lang")).isEqualTo("en");
    assertThat(CookieHeader.value(header, "tether")).as("names compare exactly").isNull();
    assertThat(CookieHeader.value(header, "TETHE")).isNull();
    assertThat(CookieHeader.value("", "TETHER")).isNull();
  }

  @Test
  void theFirstOfTwoCookiesWithOneNameWins() {
    assertThat(CookieHeader.value("a=1; a=2", "a")).isEqualTo("1");
  }

  @Test
  void quotesAroundAValueAreRemovedAndAnUnbalancedOneSkipsTheCookie() {
    assertThat(CookieHeader.value("a=\"v 1\"; b=2", "a")).isEqualTo("v 1");
    assertThat(CookieHeader.value("a=\"\"", "a")).isEmpty();
    assertThat(CookieHeader.value("a=\"v; a=2", "a")).isEqualTo("2");
    assertThat(CookieHeader.value("a=\"", "a")).isNull();
  }

  @Test
  void aNameWithoutValueIsNoCookieAndAnEmptyValueIsOne() {
    assertThat(CookieHeader.value("a; b=2", "a")).isNull();
    assertThat(CookieHeader.value("a", "a")).isNull();
    assertThat(CookieHeader.value("a=", "a")).isEmpty();
    assertThat(CookieHeader.value("a=; b=2", "a")).isEmpty();
  }

  @Test
  void aNameIsTrimmed() {
    assertThat(CookieHeader.value("a =1; b\t=2", "a")).isEqualTo("1");
    assertThat(CookieHeader.value("a =1; b\t=2", "b")).isEqualTo("2");
    assertThat(CookieHeader.value("\u0001=1; b=2", "b")).isEqualTo("2");
  }

  @Test
  void rfc2965AttributesAreSkippedAfterAVersion() {
    assertThat(CookieHeader.value("$Version=1; a=1; $Path=/; b=2", "b")).isEqualTo("2");
    assertThat(CookieHeader.value("$Version=1; a=1; $Path=/", "$Path")).isNull();
    assertThat(CookieHeader.value("a=1; $Path=/", "$Path")).isEqualTo("/");
  }

  /**
   * The same value as Netty's lax decoder gives for every name, over 20,000 random headers made of
   * the pieces its rules turn on (separators, quotes, equals signs, RFC 2965 names).
   */
  @Test
  void agreesWithNettysLaxDecoderOnRandomHeaders() {
    List<String> pieces =
        List.of(
            "a",
            "b",
            "ab",
            "A",
            "x1",
            "$Version",
            "$Path",
            "$Domain",
            "$Port",
            "$Pathx",
            "=",
            "=",
            ";",
            "; ",
            ",",
            " ",
            "\t",
            "\"",
            "\"v\"",
            "1",
            "v=w",
            "\r\n",
            "é");
    List<String> names = List.of("a", "b", "ab", "A", "x1", "$Path", "$Version", "$Pathx", "v");
    Random random = new Random(20261207);
    for (int round = 0; round < 20_000; round++) {
      StringBuilder sb = new StringBuilder();
      int n = random.nextInt(12);
      for (int i = 0; i < n; i++) {
        sb.append(pieces.get(random.nextInt(pieces.size())));
      }
      String header = sb.toString();
      java.util.Set<Cookie> decoded;
      try {
        decoded = ServerCookieDecoder.LAX.decode(header);
      } catch (IllegalArgumentException e) { // a name of control characters only
        for (String name : names) {
          CookieHeader.value(header, name); // skipped here rather than refused: must not throw
        }
        continue;
      }
      for (String name : names) {
        String expected =
            decoded.stream()
                .filter(c -> c.name().equals(name))
                .map(Cookie::value)
                .findFirst()
                .orElse(null);
        assertThat(CookieHeader.value(header, name))
            .as("cookie %s of header [%s]", name, header)
            .isEqualTo(expected);
      }
    }
  }
}
