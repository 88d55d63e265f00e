package dev.tether.balance.affinity.policy;

import static dev.tether.balance.affinity.policy.PolicyFixture.cookieValue;
import static dev.tether.balance.affinity.policy.PolicyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.PickRequest;
import dev.tether.balance.ServerState;
import dev.tether.balance.affinity.AffinityCookie;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityRules;
import dev.tether.balance.affinity.DrainMode;
import dev.tether.balance.affinity.DrainRules;
import dev.tether.balance.affinity.table.LocalStickTable;
import dev.tether.balance.affinity.token.KeyRing;
import dev.tether.balance.affinity.token.TokenCodecTest;
import dev.tether.balance.affinity.token.TokenLifetime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Drain modes in every affinity mode, on a manual ticker: soft keeps a draining server's sessions,
 * hard moves each at its next request, boundary moves each only after it has idled for the boundary
 * time; a move shifts the session count off the draining server, and with no other server taking
 * new work the session stays.
 */
class DrainRepinTest {

  private final PolicyFixture f = new PolicyFixture(3);
  private final KeyRing ring = new KeyRing(List.of(TokenCodecTest.key("k1", 1)));
  private final TokenLifetime lifetime =
      new TokenLifetime(Duration.ofMinutes(30), Duration.ofHours(8), Duration.ofMinutes(1));
  private final AffinityRules rules = AffinityRules.DEFAULTS.withFirstRequestWindow(Duration.ZERO);
  private static final DrainRules HARD = new DrainRules(DrainMode.HARD, Duration.ZERO);
  private static final DrainRules BOUNDARY =
      new DrainRules(DrainMode.BOUNDARY, Duration.ofSeconds(30));

  private AffinityPolicy cookie() {
    return AffinityPolicies.cookie(
        AffinityCookie.named("TETHER"), lifetime, ring, rules, f.clock, f.env);
  }

  private AffinityDecision decide(AffinityPolicy p, String token) {
    return p.decide(
        token == null ? request("10.0.0.1") : request("10.0.0.1", "TETHER", token),
        f.pool.snapshot(),
        null);
  }

  @Test
  void rulesRepinOnlyADrainingServer() {
    var members = f.pool.snapshot();
    assertThat(HARD.repin(members.member("s1"), 0)).as("UP server").isFalse();
    f.pool.setState("s1", ServerState.DRAINING);
    var draining = f.pool.snapshot().member("s1");
    assertThat(DrainRules.SOFT.repin(draining, Long.MAX_VALUE)).isFalse();
    assertThat(HARD.repin(draining, 0)).isTrue();
    assertThat(BOUNDARY.repin(draining, Duration.ofSeconds(29).toNanos())).isFalse();
    assertThat(BOUNDARY.repin(draining, Duration.ofSeconds(30).toNanos())).isTrue();
    f.pool.setState("s1", ServerState.DISABLED);
    assertThat(HARD.repin(f.pool.snapshot().member("s1"), 0))
        .as("disabled is not draining")
        .isFalse();
  }

  @Test
  void softKeepsTheSessionAndCountsItOnEveryRequest() {
    AffinityPolicy p = cookie();
    AffinityDecision first = decide(p, null);
    String server = first.member().name();
    String token = cookieValue(first.setCookie());
    f.pool.setState(server, ServerState.DRAINING);
    for (int i = 0; i < 5; i++) {
      f.clock.advance(10, TimeUnit.MINUTES);
      AffinityDecision d = decide(p, token);
      assertThat(d.outcome()).isEqualTo(AffinityOutcome.HIT);
      assertThat(d.member().name()).isEqualTo(server);
      if (d.setCookie() != null) {
        token = cookieValue(d.setCookie());
      }
    }
    assertThat(p.stats().sessionsRemaining(server)).isEqualTo(1);
    f.clock.advance(31, TimeUnit.MINUTES);
    assertThat(p.stats().sessionsRemaining(server)).as("idled out").isZero();
  }

  @Test
  void hardMovesACookieSessionAtItsNextRequestWithANewToken() {
    AffinityPolicy p = cookie();
    p.drainRules(HARD);
    AffinityDecision first = decide(p, null);
    String server = first.member().name();
    String token = cookieValue(first.setCookie());
    assertThat(p.stats().sessionsRemaining(server)).isEqualTo(1);
    f.pool.setState(server, ServerState.DRAINING);

    AffinityDecision moved = decide(p, token);
    assertThat(moved.outcome()).isEqualTo(AffinityOutcome.REDISPATCHED_DRAIN);
    assertThat(moved.member().name()).isNotEqualTo(server);
    assertThat(moved.setCookie()).isNotNull();
    assertThat(p.stats().sessionsRemaining(server)).as("the session left").isZero();
    assertThat(p.stats().sessionsRemaining(moved.member().name())).isEqualTo(1);

    AffinityDecision next = decide(p, cookieValue(moved.setCookie()));
    assertThat(next.outcome()).isEqualTo(AffinityOutcome.HIT);
    assertThat(next.member().name()).isEqualTo(moved.member().name());
    assertThat(p.stats().count(AffinityOutcome.REDISPATCHED_DRAIN)).isEqualTo(1);
  }

  @Test
  void boundaryMovesACookieSessionOnlyAfterItIdledForTheBoundaryTime() {
    AffinityPolicy p = cookie();
    p.drainRules(BOUNDARY);
    AffinityDecision first = decide(p, null);
    String server = first.member().name();
    String token = cookieValue(first.setCookie());
    f.pool.setState(server, ServerState.DRAINING);
    // Active every 20 s: never idle for 30 s, so it stays, although the token is refreshed only
    // once a minute.
    for (int i = 0; i < 6; i++) {
      f.clock.advance(20, TimeUnit.SECONDS);
      AffinityDecision d = decide(p, token);
      assertThat(d.outcome()).as("request %d", i).isEqualTo(AffinityOutcome.HIT);
      if (d.setCookie() != null) {
        token = cookieValue(d.setCookie());
      }
    }
    f.clock.advance(30, TimeUnit.SECONDS);
    AffinityDecision moved = decide(p, token);
    assertThat(moved.outcome()).isEqualTo(AffinityOutcome.REDISPATCHED_DRAIN);
    assertThat(moved.member().name()).isNotEqualTo(server);
    assertThat(p.stats().sessionsRemaining(server)).isZero();
  }

  @Test
  void aSessionStaysWhenNoOtherServerTakesNewWork() {
    AffinityPolicy p = cookie();
    p.drainRules(HARD);
    AffinityDecision first = decide(p, null);
    String server = first.member().name();
    for (String s : List.of("s1", "s2", "s3")) {
      f.pool.setState(s, s.equals(server) ? ServerState.DRAINING : ServerState.DISABLED);
    }
    AffinityDecision d = decide(p, cookieValue(first.setCookie()));
    assertThat(d.outcome()).isEqualTo(AffinityOutcome.HIT);
    assertThat(d.member().name()).isEqualTo(server);
  }

  @Test
  void hardMovesAStickTableKeyAndTheTableFollows() {
    LocalStickTable table = new LocalStickTable(1000, Duration.ofMinutes(30), f.ticker);
    AffinityPolicy p = AffinityPolicies.appCookie("JSESSIONID", ".", true, table, rules, f.env);
    p.drainRules(HARD);
    PickRequest r = request("10.0.0.1", "JSESSIONID", "abc");
    AffinityDecision first = p.decide(r, f.pool.snapshot(), null);
    String server = first.member().name();
    f.pool.setState(server, ServerState.DRAINING);
    AffinityDecision moved = p.decide(r, f.pool.snapshot(), null);
    assertThat(moved.outcome()).isEqualTo(AffinityOutcome.REDISPATCHED_DRAIN);
    assertThat(table.get("abc")).isEqualTo(moved.member().name()).isNotEqualTo(server);
    assertThat(p.stats().sessionsRemaining(server)).isZero();
  }

  @Test
  void boundaryMovesAHashedKeyToItsNextBestServerAfterTheIdleTime() {
    AffinityPolicy p =
        AffinityPolicies.keyed("header", r -> r.header("x-user"), null, rules, f.env);
    p.drainRules(BOUNDARY);
    PickRequest r = request("10.0.0.1", "header:x-user", "alice");
    String server = p.decide(r, f.pool.snapshot(), null).member().name();
    f.pool.setState(server, ServerState.DRAINING);
    f.clock.advance(10, TimeUnit.SECONDS);
    assertThat(p.decide(r, f.pool.snapshot(), null).member().name())
        .as("still active")
        .isEqualTo(server);
    f.clock.advance(31, TimeUnit.SECONDS);
    AffinityDecision moved = p.decide(r, f.pool.snapshot(), null);
    assertThat(moved.outcome()).isEqualTo(AffinityOutcome.REDISPATCHED_DRAIN);
    String target = moved.member().name();
    assertThat(target).isNotEqualTo(server);
    for (int i = 0; i < 5; i++) {
      AffinityDecision d = p.decide(r, f.pool.snapshot(), null);
      assertThat(d.member().name()).as("hashing agrees with the move").isEqualTo(target);
      assertThat(d.outcome()).isEqualTo(AffinityOutcome.HIT);
    }
  }
}
