package dev.tether.balance.affinity.policy;

import static dev.tether.balance.affinity.policy.PolicyFixture.cookieValue;
import static dev.tether.balance.affinity.policy.PolicyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.ServerState;
import dev.tether.balance.affinity.AffinityCookie;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityRules;
import dev.tether.balance.affinity.token.AffinityToken;
import dev.tether.balance.affinity.token.KeyRing;
import dev.tether.balance.affinity.token.TokenCodec;
import dev.tether.balance.affinity.token.TokenCodecTest;
import dev.tether.balance.affinity.token.TokenLifetime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CookieAffinityPolicyTest {

  private final PolicyFixture f = new PolicyFixture(3);
  private final KeyRing ring = new KeyRing(List.of(TokenCodecTest.key("k1", 1)));
  private final TokenLifetime lifetime =
      new TokenLifetime(Duration.ofMinutes(30), Duration.ofHours(8), Duration.ofMinutes(1));

  private AffinityPolicy policy(AffinityRules rules) {
    return AffinityPolicies.cookie(
        AffinityCookie.named("TETHER"), lifetime, ring, rules, f.clock, f.env);
  }

  private final AffinityPolicy policy =
      policy(AffinityRules.DEFAULTS.withFirstRequestWindow(Duration.ZERO));

  private AffinityDecision decide(AffinityPolicy p, String token) {
    return p.decide(
        token == null ? request("10.0.0.1") : request("10.0.0.1", "TETHER", token),
        f.pool.snapshot(),
        null);
  }

  @Test
  void newClientGetsATokenAndComesBackToTheSameServer() {
    AffinityDecision first = decide(policy, null);
    assertThat(first.outcome()).isEqualTo(AffinityOutcome.NEW);
    assertThat(first.setCookie())
        .startsWith("TETHER=")
        .endsWith("; Path=/; HttpOnly; SameSite=Lax");
    String token = cookieValue(first.setCookie());
    for (int i = 0; i < 100; i++) {
      AffinityDecision d = decide(policy, token);
      assertThat(d.outcome()).isEqualTo(AffinityOutcome.HIT);
      assertThat(d.member().name()).isEqualTo(first.member().name());
      assertThat(d.setCookie()).as("no refresh within the interval").isNull();
    }
    assertThat(policy.stats().count(AffinityOutcome.HIT)).isEqualTo(100);
  }

  @Test
  void freshClientsAreBalanced() {
    Set<String> servers = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      servers.add(decide(policy, null).member().name());
    }
    assertThat(servers).containsExactlyInAnyOrder("s1", "s2", "s3");
  }

  @Test
  void refreshesLastSeenAtMostOncePerInterval() {
    String token = cookieValue(decide(policy, null).setCookie());
    f.clock.advance(59, TimeUnit.SECONDS);
    assertThat(decide(policy, token).setCookie()).isNull();
    f.clock.advance(1, TimeUnit.SECONDS);
    AffinityDecision refreshed = decide(policy, token);
    assertThat(refreshed.setCookie()).isNotNull();
    AffinityToken t = new TokenCodec(ring).decode(cookieValue(refreshed.setCookie()));
    assertThat(t.lastSeen() - t.issuedAt()).isEqualTo(60);
  }

  @Test
  void idleExpiry() {
    AffinityDecision first = decide(policy, null);
    String token = cookieValue(first.setCookie());
    f.clock.advance(30, TimeUnit.MINUTES);
    assertThat(decide(policy, token).outcome())
        .as("exactly the idle timeout is still alive")
        .isEqualTo(AffinityOutcome.HIT);
    f.clock.advance(1, TimeUnit.SECONDS);
    AffinityDecision d = decide(policy, token);
    assertThat(d.outcome()).isEqualTo(AffinityOutcome.EXPIRED);
    assertThat(d.setCookie()).isNotNull();
    assertThat(policy.stats().count(AffinityOutcome.EXPIRED)).isEqualTo(1);
  }

  @Test
  void absoluteExpiryEvenWhenActive() {
    String token = cookieValue(decide(policy, null).setCookie());
    for (int i = 0; i < 8 * 4; i++) { // every 15 minutes for 8 hours, following refreshes
      f.clock.advance(15, TimeUnit.MINUTES);
      AffinityDecision d = decide(policy, token);
      assertThat(d.outcome()).as("after %d min", (i + 1) * 15).isEqualTo(AffinityOutcome.HIT);
      token = cookieValue(d.setCookie());
    }
    f.clock.advance(1, TimeUnit.SECONDS);
    assertThat(decide(policy, token).outcome()).isEqualTo(AffinityOutcome.EXPIRED);
  }

  @Test
  void forgedOrGarbageTokensAreBalancedAfreshAndCounted() {
    String token = cookieValue(decide(policy, null).setCookie());
    String forged =
        token.substring(0, 10) + (token.charAt(10) == 'A' ? 'B' : 'A') + token.substring(11);
    for (String bad : List.of(forged, "s1", "", "127.0.0.1:9001")) {
      AffinityDecision d = decide(policy, bad);
      assertThat(d.outcome()).as(bad).isEqualTo(AffinityOutcome.INVALID);
      assertThat(d.setCookie()).isNotNull();
    }
    AffinityToken fromAnotherKey = new AffinityToken(1, "s1", 1_795_000_000L, 1_795_000_000L);
    String other =
        new TokenCodec(new KeyRing(List.of(TokenCodecTest.key("k1", 7)))).encode(fromAnotherKey);
    assertThat(decide(policy, other).outcome()).isEqualTo(AffinityOutcome.INVALID);
    assertThat(policy.stats().count(AffinityOutcome.INVALID)).isEqualTo(5);
  }

  @Test
  void tokenFromTheFutureIsInvalid() {
    long now = f.clock.millis() / 1000;
    String t = new TokenCodec(ring).encode(new AffinityToken(1, "s1", now + 3600, now + 3600));
    assertThat(decide(policy, t).outcome()).isEqualTo(AffinityOutcome.INVALID);
  }

  @Test
  void boundServerDownOrRemovedRedispatchesWithANewToken() {
    AffinityDecision first = decide(policy, null);
    String bound = first.member().name();
    String token = cookieValue(first.setCookie());
    f.pool.setState(bound, ServerState.DOWN);
    AffinityDecision d = decide(policy, token);
    assertThat(d.outcome()).isEqualTo(AffinityOutcome.REDISPATCHED_DOWN);
    assertThat(d.member().name()).isNotEqualTo(bound);
    String repinned = cookieValue(d.setCookie());
    f.pool.setState(bound, ServerState.UP);
    assertThat(decide(policy, repinned).member().name())
        .as("stays on its new server")
        .isEqualTo(d.member().name());

    f.pool.setServers(
        f.pool.snapshot().members().stream()
            .map(m -> m.server())
            .filter(s -> !s.name().equals(d.member().name()))
            .toList());
    AffinityDecision removed = decide(policy, repinned);
    assertThat(removed.outcome()).isEqualTo(AffinityOutcome.REDISPATCHED_DOWN);
    assertThat(removed.member()).isNotNull();
  }

  @Test
  void strictRefusesWhenTheBoundServerIsDisabled() {
    AffinityPolicy strict =
        policy(AffinityRules.DEFAULTS.withStrict(true).withFirstRequestWindow(Duration.ZERO));
    AffinityDecision first = decide(strict, null);
    f.pool.setState(first.member().name(), ServerState.DISABLED);
    AffinityDecision d = decide(strict, cookieValue(first.setCookie()));
    assertThat(d.outcome()).isEqualTo(AffinityOutcome.REFUSED);
    assertThat(d.member()).isNull();
  }

  @Test
  void connectFailureRedispatchesOrRefuses() {
    AffinityDecision first = decide(policy, null);
    AffinityDecision hit = decide(policy, cookieValue(first.setCookie()));
    AffinityDecision again = policy.redispatch(hit, request("10.0.0.1"), f.pool.snapshot());
    assertThat(again.outcome()).isEqualTo(AffinityOutcome.REDISPATCHED_DOWN);
    assertThat(again.member().name()).isNotEqualTo(first.member().name());
    assertThat(again.setCookie()).isNotNull();

    AffinityPolicy strict =
        policy(AffinityRules.DEFAULTS.withStrict(true).withFirstRequestWindow(Duration.ZERO));
    AffinityDecision sFirst = decide(strict, null);
    AffinityDecision sHit = decide(strict, cookieValue(sFirst.setCookie()));
    assertThat(strict.redispatch(sHit, request("10.0.0.1"), f.pool.snapshot()).outcome())
        .isEqualTo(AffinityOutcome.REFUSED);
    assertThat(strict.redispatch(sFirst, request("10.0.0.1"), f.pool.snapshot()).member())
        .as("an unbound request may go elsewhere even when strict")
        .isNotNull();
  }

  @Test
  void drainingServerKeepsItsSessionsAndGetsNoNewOnes() {
    List<String> tokens = new ArrayList<>();
    String drained = null;
    for (int i = 0; i < 6; i++) {
      AffinityDecision d = decide(policy, null);
      if (d.member().name().equals("s1")) {
        tokens.add(cookieValue(d.setCookie()));
        drained = "s1";
      }
    }
    assertThat(drained).isEqualTo("s1");
    f.pool.setState("s1", ServerState.DRAINING);
    for (String t : tokens) {
      AffinityDecision d = decide(policy, t);
      assertThat(d.outcome()).isEqualTo(AffinityOutcome.HIT);
      assertThat(d.member().name()).isEqualTo("s1");
    }
    for (int i = 0; i < 30; i++) {
      assertThat(decide(policy, null).member().name()).isNotEqualTo("s1");
    }
    assertThat(policy.stats().sessionsRemaining("s1")).isEqualTo(tokens.size());
  }

  @Test
  void sessionsRemainingCountsLiveSessionsAndForgetsIdleOnes() {
    for (int i = 0; i < 9; i++) {
      decide(policy, null);
    }
    assertThat(policy.stats().sessions().sessions())
        .containsEntry("s1", 3L)
        .containsEntry("s2", 3L)
        .containsEntry("s3", 3L);
    f.clock.advance(31, TimeUnit.MINUTES);
    assertThat(policy.stats().sessionsRemaining("s1")).isZero();
  }

  @Test
  void concurrentFirstRequestsOfOneClientShareAServer() {
    AffinityPolicy pinned =
        policy(AffinityRules.DEFAULTS.withFirstRequestWindow(Duration.ofSeconds(1)));
    Set<String> servers = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      servers.add(pinned.decide(request("10.0.0.9"), f.pool.snapshot(), null).member().name());
    }
    assertThat(servers).hasSize(1);
    assertThat(pinned.decide(request("10.0.0.10"), f.pool.snapshot(), null).member().name())
        .as("another client is balanced")
        .isNotEqualTo(servers.iterator().next());
    f.clock.advance(2, TimeUnit.SECONDS);
    assertThat(pinned.decide(request("10.0.0.9"), f.pool.snapshot(), null).member().name())
        .as("after the window the client is balanced again")
        .isNotEqualTo(servers.iterator().next());
  }

  @Test
  void requestsOnOneConnectionFollowTheConnectionPin() {
    for (int i = 0; i < 5; i++) {
      assertThat(policy.decide(request("10.0.0.1"), f.pool.snapshot(), "s2").member().name())
          .isEqualTo("s2");
    }
    f.pool.setState("s2", ServerState.DRAINING);
    assertThat(policy.decide(request("10.0.0.1"), f.pool.snapshot(), "s2").member().name())
        .isNotEqualTo("s2");
  }

  @Test
  void boundedLoadShedsNewSessionsFromAnOverloadedServer() {
    AffinityPolicy bounded =
        policy(
            AffinityRules.DEFAULTS.withBalanceFactor(1.25).withFirstRequestWindow(Duration.ZERO));
    // 30 sessions over s1..s3, then s4 joins (scale-out): new sessions go to s4 until it catches
    // up.
    for (int i = 0; i < 30; i++) {
      decide(bounded, null);
    }
    List<dev.tether.balance.Server> servers =
        new ArrayList<>(f.pool.snapshot().members().stream().map(m -> m.server()).toList());
    servers.add(new dev.tether.balance.Server("s4", "127.0.0.1", 9004, 1));
    f.pool.setServers(servers);
    int toS4 = 0;
    for (int i = 0; i < 12; i++) {
      if (decide(bounded, null).member().name().equals("s4")) {
        toS4++;
      }
    }
    // A pick of s1..s3 (10 sessions each) is shed while 11 > 1.25 × (31 + k) / 4, i.e. while s4
    // holds
    // k < 4.2 sessions: s4 takes at least its first 5 outright, round robin alone would give it 3
    // of 12.
    assertThat(toS4).isGreaterThanOrEqualTo(5);
    assertThat(bounded.stats().shed()).isGreaterThan(0);
    assertThat(bounded.stats().sessions().sessions().values())
        .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(13L));
  }

  @Test
  void idleSessionsMigrateOffAnOverloadedServerWithinTheBudget() {
    AffinityPolicy p =
        policy(
            AffinityRules.DEFAULTS
                .withFirstRequestWindow(Duration.ZERO)
                .withMigration(new AffinityRules.Migration(Duration.ofMinutes(5), 2)));
    // 12 sessions, all on s1..s3 (4 each); then s4 joins and is empty: mean 3, s1 holds 4 > 1.25 ×
    // 3.
    List<String> onS1 = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      AffinityDecision d = decide(p, null);
      if (d.member().name().equals("s1")) {
        onS1.add(cookieValue(d.setCookie()));
      }
    }
    List<dev.tether.balance.Server> servers =
        new ArrayList<>(f.pool.snapshot().members().stream().map(m -> m.server()).toList());
    servers.add(new dev.tether.balance.Server("s4", "127.0.0.1", 9004, 1));
    f.pool.setServers(servers);
    assertThat(decide(p, onS1.get(0)).outcome())
        .as("an active session never moves")
        .isEqualTo(AffinityOutcome.HIT);
    f.clock.advance(6, TimeUnit.MINUTES);
    AffinityDecision moved = decide(p, onS1.get(1));
    assertThat(moved.outcome()).isEqualTo(AffinityOutcome.REBALANCED);
    assertThat(moved.member().name()).isEqualTo("s4");
    assertThat(decide(p, onS1.get(2)).outcome())
        .as("budget: 2 per second, one token at a time")
        .isEqualTo(AffinityOutcome.HIT);
    AffinityToken t = new TokenCodec(ring).decode(cookieValue(moved.setCookie()));
    assertThat(t.server()).isEqualTo("s4");
    assertThat(decide(p, cookieValue(moved.setCookie())).member().name()).isEqualTo("s4");
  }

  @Test
  void cookieAttributes() {
    AffinityCookie c = new AffinityCookie("T", "/", null, 3600, true, true, "None", true);
    assertThat(c.wireName()).isEqualTo("__Host-T");
    assertThat(c.attributes()).isEqualTo("; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=None");
    AffinityCookie d =
        new AffinityCookie("T", "/app", "example.com", -1, false, false, null, false);
    assertThat(d.attributes()).isEqualTo("; Path=/app; Domain=example.com");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new AffinityCookie("T", "/", null, -1, false, true, "None", false))
        .hasMessageContaining("SameSite=None needs Secure");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new AffinityCookie("T", "/x", null, -1, true, true, "Lax", true))
        .hasMessageContaining("__Host-");
  }
}
