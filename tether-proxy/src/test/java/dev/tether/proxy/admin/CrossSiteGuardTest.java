package dev.tether.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CrossSiteGuardTest {

  private final CrossSiteGuard loopback = new CrossSiteGuard("127.0.0.1", 9090);

  @Test
  void readsAlwaysPass() {
    for (String m : new String[] {"GET", "HEAD", "OPTIONS"}) {
      assertThat(loopback.refusal(m, "http://evil.example", "cross-site", "127.0.0.1:9090"))
          .isNull();
    }
  }

  @Test
  void aPostWithoutBrowserHeadersPasses() {
    assertThat(loopback.refusal("POST", null, null, "127.0.0.1:9090")).isNull();
  }

  @Test
  void aPostFromAnotherOriginIsRefusedAndSaysWhy() {
    assertThat(loopback.refusal("POST", "http://evil.example", null, "127.0.0.1:9090"))
        .startsWith(
            "cross-site request refused: Origin 'http://evil.example' is not this admin API's origin (")
        .contains("http://127.0.0.1:9090")
        .contains("curl");
    assertThat(loopback.refusal("POST", "null", null, null)).as("opaque origin").isNotNull();
    assertThat(loopback.refusal("POST", "http://127.0.0.1:9091", null, null))
        .as("other port")
        .isNotNull();
    assertThat(loopback.refusal("POST", "https://127.0.0.1:9090", null, null))
        .as("other scheme")
        .isNotNull();
    assertThat(loopback.refusal("DELETE", "http://evil.example", null, null))
        .as("any unsafe method")
        .isNotNull();
  }

  @Test
  void theOwnOriginPassesUnderEveryLoopbackName() {
    for (String o :
        new String[] {
          "http://127.0.0.1:9090",
          "http://localhost:9090",
          "http://[::1]:9090",
          "HTTP://LOCALHOST:9090"
        }) {
      assertThat(loopback.refusal("POST", o, "same-origin", "127.0.0.1:9090")).as(o).isNull();
    }
  }

  @Test
  void fetchMetadataMarkingAnotherSiteIsRefusedEvenWithTheOwnOrigin() {
    assertThat(loopback.refusal("POST", "http://127.0.0.1:9090", "cross-site", null))
        .contains("Sec-Fetch-Site is 'cross-site'");
    assertThat(loopback.refusal("POST", null, "same-site", null))
        .contains("Sec-Fetch-Site is 'same-site'");
    assertThat(loopback.refusal("POST", null, "none", null)).as("typed by the user").isNull();
  }

  @Test
  void aReboundHostNameIsNotTheOwnOrigin() {
    assertThat(
            loopback.refusal("POST", "http://rebound.example:9090", null, "rebound.example:9090"))
        .isNotNull();
  }

  @Test
  void aNamedHostIsItsOwnOriginOnly() {
    CrossSiteGuard named = new CrossSiteGuard("admin.internal", 9443);
    assertThat(named.refusal("POST", "http://admin.internal:9443", null, null)).isNull();
    assertThat(named.refusal("POST", "http://localhost:9443", null, null)).isNotNull();
  }

  @Test
  void onAWildcardAddressTheHostHeaderNamesTheOrigin() {
    CrossSiteGuard any = new CrossSiteGuard("0.0.0.0", 9090);
    assertThat(any.refusal("POST", "http://10.0.0.5:9090", null, "10.0.0.5:9090")).isNull();
    assertThat(any.refusal("POST", "http://evil.example", null, "10.0.0.5:9090")).isNotNull();
    assertThat(any.refusal("POST", "http://10.0.0.5:9090", null, null)).isNotNull();
    CrossSiteGuard v6 = new CrossSiteGuard("::", 9090);
    assertThat(v6.refusal("POST", "http://[fd00::5]:9090", null, "[fd00::5]:9090")).isNull();
  }

  @Test
  void anIpv6ListenAddressIsBracketed() {
    CrossSiteGuard v6 = new CrossSiteGuard("fd00::5", 9090);
    assertThat(v6.refusal("POST", "http://[fd00::5]:9090", null, null)).isNull();
  }
}
