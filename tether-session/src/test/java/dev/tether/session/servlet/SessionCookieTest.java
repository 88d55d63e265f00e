package dev.tether.session.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionCookieTest {

  private static String read(SessionCookie c, String... headers) {
    return c.read(Collections.enumeration(List.of(headers)));
  }

  @Test
  void defaultsAreHardened() {
    SessionCookie c = SessionCookie.defaults();
    assertThat(c.name()).isEqualTo("__Host-TSESSION");
    assertThat(c.setCookie("abc"))
        .isEqualTo("__Host-TSESSION=abc; Path=/; Secure; HttpOnly; SameSite=Lax");
    assertThat(c.expireCookie()).contains("Max-Age=0").contains("Secure");
  }

  @Test
  void readsOnlyItsOwnNameFromAnyCookieHeader() {
    SessionCookie c = SessionCookie.defaults().insecure();
    assertThat(read(c, "a=1; TSESSION=xyz; b=2")).isEqualTo("xyz");
    assertThat(read(c, "a=1", "TSESSION=second")).isEqualTo("second");
    assertThat(read(c, "XTSESSION=no; TSESSIONX=no")).isNull();
    assertThat(read(c, "TSESSION=first; TSESSION=second")).isEqualTo("first");
    assertThat(c.read(null)).isNull();
  }

  @Test
  void sameSiteNoneAndOddNamesAreRefused() {
    assertThatThrownBy(() -> new SessionCookie("S", true, "None"))
        .hasMessageContaining("Strict or Lax");
    assertThatThrownBy(() -> new SessionCookie("a;b", true, "Lax"))
        .hasMessageContaining("letters, digits");
  }

  @Test
  void nameAndValueFitFourKilobytes() {
    String longest =
        "n".repeat(SessionCookie.MAX_NAME_AND_VALUE - SessionCookie.HOST_PREFIX.length() - 128);
    SessionCookie c = new SessionCookie(longest, true, "Lax");
    assertThat(c.setCookie("i".repeat(127)).length()).isGreaterThan(4000);
    assertThatThrownBy(() -> new SessionCookie(longest + "n", true, "Lax"))
        .hasMessageContaining("may have at most " + longest.length() + " characters");
    assertThatThrownBy(() -> c.setCookie("i".repeat(200)))
        .hasMessageContaining("exceeds 4096 bytes");
  }
}
