package dev.tether.balance.affinity.policy;

import static dev.tether.balance.affinity.policy.PolicyFixture.cookieValue;
import static dev.tether.balance.affinity.policy.PolicyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.Ejection;
import dev.tether.balance.affinity.AffinityCookie;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityRules;
import dev.tether.balance.affinity.token.KeyRing;
import dev.tether.balance.affinity.token.TokenCodecTest;
import dev.tether.balance.affinity.token.TokenLifetime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An ejected server loses its sessions as a DOWN one does, and keeps them in panic mode. */
class EjectedServerAffinityTest {

  private static final Ejection EJECTION =
      new Ejection(Instant.parse("2026-01-01T00:00:30Z"), "3 consecutive timeouts", 1);

  private final PolicyFixture f = new PolicyFixture(3);
  private final AffinityPolicy cookie =
      AffinityPolicies.cookie(
          AffinityCookie.named("TETHER"),
          new TokenLifetime(Duration.ofMinutes(30), Duration.ofHours(8), Duration.ofMinutes(1)),
          new KeyRing(List.of(TokenCodecTest.key("k1", 1))),
          AffinityRules.DEFAULTS.withFirstRequestWindow(Duration.ZERO),
          f.clock,
          f.env);

  @Test
  void aCookieBoundToAnEjectedServerIsRedispatchedAndStrictRefuses() {
    AffinityDecision first = cookie.decide(request("10.0.0.1"), f.pool.snapshot(), null);
    String bound = first.member().name();
    String token = cookieValue(first.setCookie());
    f.pool.eject(bound, EJECTION);
    AffinityDecision d =
        cookie.decide(request("10.0.0.1", "TETHER", token), f.pool.snapshot(), null);
    assertThat(d.outcome()).isEqualTo(AffinityOutcome.REDISPATCHED_DOWN);
    assertThat(d.member().name()).isNotEqualTo(bound);

    AffinityPolicy strict =
        AffinityPolicies.cookie(
            AffinityCookie.named("TETHER"),
            new TokenLifetime(Duration.ofMinutes(30), Duration.ofHours(8), Duration.ofMinutes(1)),
            new KeyRing(List.of(TokenCodecTest.key("k1", 1))),
            AffinityRules.DEFAULTS.withStrict(true).withFirstRequestWindow(Duration.ZERO),
            f.clock,
            f.env);
    assertThat(
            strict.decide(request("10.0.0.1", "TETHER", token), f.pool.snapshot(), null).outcome())
        .isEqualTo(AffinityOutcome.REFUSED);
  }

  @Test
  void aHeaderKeyOfAnEjectedServerMovesAndInPanicStays() {
    AffinityPolicy header =
        AffinityPolicies.keyed(
            "header",
            r -> r.header("x-user"),
            null,
            AffinityRules.DEFAULTS.withFirstRequestWindow(Duration.ZERO),
            f.env);
    String owner =
        header
            .decide(request("10.0.0.1", "header:x-user", "alice"), f.pool.snapshot(), null)
            .member()
            .name();
    f.pool.eject(owner, EJECTION);
    assertThat(
            header
                .decide(request("10.0.0.1", "header:x-user", "alice"), f.pool.snapshot(), null)
                .member()
                .name())
        .isNotEqualTo(owner);

    f.pool.setPanicThreshold(100);
    assertThat(f.pool.snapshot().panic()).isTrue();
    assertThat(
            header
                .decide(request("10.0.0.1", "header:x-user", "alice"), f.pool.snapshot(), null)
                .member()
                .name())
        .as("in panic the ejected owner keeps its key")
        .isEqualTo(owner);
  }
}
