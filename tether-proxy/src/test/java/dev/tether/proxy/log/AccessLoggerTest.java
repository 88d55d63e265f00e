package dev.tether.proxy.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccessLoggerTest {

  @Test
  void theAffinityDecisionIsAFieldInBothFormats() {
    AccessLogger.Entry e =
        new AccessLogger.Entry(
            "203.0.113.7",
            "GET",
            "/cart",
            "web",
            "s2",
            200,
            14,
            1500,
            null,
            "cookie/redispatched-down");
    assertThat(AccessLogger.plain(e)).endsWith(" affinity=cookie/redispatched-down");
    assertThat(AccessLogger.json(e)).endsWith(",\"affinity\":\"cookie/redispatched-down\"}");
  }

  @Test
  void noAffinityNoField() {
    AccessLogger.Entry e =
        new AccessLogger.Entry("203.0.113.7", "GET", "/", "web", "s1", 200, 0, 10, null);
    assertThat(AccessLogger.plain(e)).doesNotContain("affinity");
    assertThat(AccessLogger.json(e)).doesNotContain("affinity");
  }
}
