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
import dev.tether.balance.affinity.DrainMode;
import dev.tether.balance.affinity.DrainRules;
import dev.tether.balance.affinity.ResponseHeaders;
import dev.tether.balance.affinity.table.LocalStickTable;
import dev.tether.balance.affinity.token.AffinityToken;
import dev.tether.balance.affinity.token.KeyRing;
import dev.tether.balance.affinity.token.TokenCodec;
import dev.tether.balance.affinity.token.TokenCodecTest;
import dev.tether.balance.affinity.token.TokenLifetime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Failover to the session's replica owner, in cookie and app-cookie mode. */
class OwnerFailoverTest {

  private final PolicyFixture f = new PolicyFixture(4);
  private final KeyRing ring = new KeyRing(List.of(TokenCodecTest.key("k1", 1)));
  private final TokenCodec codec = new TokenCodec(ring);
  private final TokenLifetime lifetime =
      new TokenLifetime(Duration.ofMinutes(30), Duration.ofHours(8), Duration.ofMinutes(1));
  private final AffinityRules rules = AffinityRules.DEFAULTS.withFirstRequestWindow(Duration.ZERO);
  private final AffinityPolicy policy = cookie(rules);

  private AffinityPolicy cookie(AffinityRules r) {
    return AffinityPolicies.cookie(
        AffinityCookie.named("TETHER"), lifetime, ring, r, f.clock, f.env);
  }

  private AffinityDecision decide(AffinityPolicy p, String token) {
    return p.decide(
        token == null ? request("10.0.0.1") : request("10.0.0.1", "TETHER", token),
        f.pool.snapshot(),
        null);
  }

  /** Response headers with the owners the app instance named; collects what the policy adds. */
  private static final class Response implements ResponseHeaders {
    final String owners;
    final Map<String, List<String>> added = new HashMap<>();

    Response(String owners) {
      this.owners = owners;
    }

    @Override
    public List<String> getAll(String name) {
      return added.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    @Override
    public void add(String name, String value) {
      added.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
    }

    @Override
    public String sessionOwners() {
      return owners;
    }

    String token() {
      List<String> c = getAll("Set-Cookie");
      return c.isEmpty() ? null : cookieValue(c.get(c.size() - 1));
    }
  }

  /** A token bound to s1 whose response named {@code owners}. */
  private String boundToS1WithOwners(AffinityPolicy p, String owners) {
    String token = null;
    AffinityDecision d;
    do {
      d = decide(p, null);
      token = cookieValue(d.setCookie());
    } while (!d.member().name().equals("s1"));
    Response r = new Response(owners);
    p.onResponse(d, r);
    return r.token();
  }

  @Test
  void theResponseOwnersGoIntoTheSignedTokenAndANewOwnerListRewritesIt() {
    String token = boundToS1WithOwners(policy, "s1, s3");
    assertThat(codec.decode(token).owners()).containsExactly("s1", "s3");
    AffinityDecision hit = decide(policy, token);
    assertThat(hit.outcome()).isEqualTo(AffinityOutcome.HIT);
    Response same = new Response("s1, s3");
    policy.onResponse(hit, same);
    assertThat(same.token()).as("unchanged owners: no new cookie").isNull();

    Response moved = new Response("s1, s4");
    policy.onResponse(hit, moved);
    assertThat(codec.decode(moved.token()).owners())
        .as("after ownership moved")
        .containsExactly("s1", "s4");
    Response none = new Response(null);
    policy.onResponse(hit, none);
    assertThat(none.token()).as("a response without owners changes nothing").isNull();
    Response garbage = new Response("s1, <script>");
    policy.onResponse(hit, garbage);
    assertThat(garbage.token()).as("a malformed header is ignored").isNull();
  }

  @Test
  void aDownOrRemovedServerFailsOverToTheNextOwnerThatIsUpAndCountsIt() {
    String token = boundToS1WithOwners(policy, "s1, s3, s4");
    f.pool.setState("s1", ServerState.DOWN);
    f.pool.setState("s3", ServerState.DOWN);
    AffinityDecision d = decide(policy, token);
    assertThat(d.outcome()).isEqualTo(AffinityOutcome.FAILOVER_OWNER);
    assertThat(d.member().name()).as("s3 is down too: the next owner").isEqualTo("s4");
    AffinityToken moved = codec.decode(cookieValue(d.setCookie()));
    assertThat(moved.server()).isEqualTo("s4");
    assertThat(moved.epoch()).isEqualTo(1);
    assertThat(moved.owners()).containsExactly("s1", "s3", "s4");
    assertThat(d.binding()).isEqualTo(moved.binding());
    assertThat(policy.stats().count(AffinityOutcome.FAILOVER_OWNER)).isEqualTo(1);

    f.pool.setServers(
        f.pool.snapshot().members().stream()
            .map(m -> m.server())
            .filter(s -> !s.name().equals("s1"))
            .toList());
    f.pool.setState("s3", ServerState.UP);
    AffinityDecision removed = decide(policy, token);
    assertThat(removed.outcome()).isEqualTo(AffinityOutcome.FAILOVER_OWNER);
    assertThat(removed.member().name()).isEqualTo("s3");
  }

  @Test
  void withoutAnOwnerUpTheAlgorithmDecidesAndStrictStillRefuses() {
    String token = boundToS1WithOwners(policy, "s1, s3");
    f.pool.setState("s1", ServerState.DOWN);
    f.pool.setState("s3", ServerState.DRAINING);
    AffinityDecision d = decide(policy, token);
    assertThat(d.outcome())
        .as("a draining owner takes no moved sessions")
        .isEqualTo(AffinityOutcome.REDISPATCHED_DOWN);
    assertThat(d.member().name()).isNotIn("s1", "s3");

    f.pool.setState("s1", ServerState.UP);
    f.pool.setState("s3", ServerState.UP);
    AffinityPolicy strict = cookie(rules.withStrict(true));
    String st = boundToS1WithOwners(strict, "s1, s3");
    f.pool.setState("s1", ServerState.DOWN);
    assertThat(decide(strict, st).outcome()).isEqualTo(AffinityOutcome.REFUSED);
  }

  @Test
  void aTokenWithoutOwnersBehavesAsBefore() {
    String token = boundToS1WithOwners(policy, null);
    assertThat(codec.decode(token).owners()).isEmpty();
    assertThat(token).as("written as before owners existed").hasSize(44);
    AffinityDecision d;
    do {
      d = decide(policy, null);
    } while (!d.member().name().equals("s1"));
    f.pool.setState("s1", ServerState.DOWN);
    assertThat(decide(policy, cookieValue(d.setCookie())).outcome())
        .isEqualTo(AffinityOutcome.REDISPATCHED_DOWN);
  }

  @Test
  void aConnectFailureOnTheBoundServerGoesToTheNextOwnerThenTheOneAfter() {
    String token = boundToS1WithOwners(policy, "s1, s2, s3");
    AffinityDecision hit = decide(policy, token);
    AffinityDecision first = policy.redispatch(hit, request("10.0.0.1"), f.pool.snapshot());
    assertThat(first.outcome()).isEqualTo(AffinityOutcome.FAILOVER_OWNER);
    assertThat(first.member().name()).isEqualTo("s2");
    AffinityDecision second = policy.redispatch(first, request("10.0.0.1"), f.pool.snapshot());
    assertThat(second.outcome()).isEqualTo(AffinityOutcome.FAILOVER_OWNER);
    assertThat(second.member().name()).isEqualTo("s3");
    assertThat(second.token().epoch()).isEqualTo(2);
  }

  @Test
  void aHardDrainMovesTheSessionToAnOwnerFirst() {
    String token = boundToS1WithOwners(policy, "s1, s4");
    policy.drainRules(new DrainRules(DrainMode.HARD, Duration.ZERO));
    f.pool.setState("s1", ServerState.DRAINING);
    AffinityDecision d = decide(policy, token);
    assertThat(d.outcome()).isEqualTo(AffinityOutcome.FAILOVER_OWNER);
    assertThat(d.member().name()).isEqualTo("s4");
  }

  @Test
  void aMoveAwayAndBackNeverRepeatsABinding() {
    String token = boundToS1WithOwners(policy, "s1, s2");
    String original = decide(policy, token).binding();
    f.pool.setState("s1", ServerState.DOWN);
    AffinityDecision away = decide(policy, token);
    Response r = new Response("s2, s1");
    policy.onResponse(away, r);
    f.pool.setState("s1", ServerState.UP);
    f.pool.setState("s2", ServerState.DOWN);
    AffinityDecision back = decide(policy, r.token());
    assertThat(back.member().name()).isEqualTo("s1");
    assertThat(back.outcome()).isEqualTo(AffinityOutcome.FAILOVER_OWNER);
    assertThat(back.binding()).startsWith("s1; epoch=").isNotEqualTo(original);
  }

  @Test
  void appCookieRankedRoutesFailOverToTheNextRouteThatIsUp() {
    AffinityPolicy p =
        AffinityPolicies.appCookie(
            "JSESSIONID",
            ".",
            true,
            new LocalStickTable(1000, Duration.ofMinutes(30), f.env.ticker()),
            rules,
            f.env);
    String value = "abc123.r2.r3";
    AffinityDecision hit =
        p.decide(request("10.0.0.1", "JSESSIONID", value), f.pool.snapshot(), null);
    assertThat(hit.outcome()).isEqualTo(AffinityOutcome.HIT);
    assertThat(hit.member().name()).as("the first route is the primary").isEqualTo("s2");
    f.pool.setState("s2", ServerState.DOWN);
    AffinityDecision d =
        p.decide(request("10.0.0.1", "JSESSIONID", value), f.pool.snapshot(), null);
    assertThat(d.outcome()).isEqualTo(AffinityOutcome.FAILOVER_OWNER);
    assertThat(d.member().name()).isEqualTo("s3");
    f.pool.setState("s2", ServerState.UP);
    AffinityDecision refused =
        p.redispatch(hit, request("10.0.0.1", "JSESSIONID", value), f.pool.snapshot());
    assertThat(refused.outcome())
        .as("s2 refused the connection")
        .isEqualTo(AffinityOutcome.FAILOVER_OWNER);
    assertThat(refused.member().name()).isEqualTo("s3");
    assertThat(
            p.decide(request("10.0.0.1", "JSESSIONID", "a.b.r4"), f.pool.snapshot(), null)
                .member()
                .name())
        .as("segments naming no server are part of the id")
        .isEqualTo("s4");
    assertThat(p.stats().count(AffinityOutcome.FAILOVER_OWNER)).isEqualTo(2);
  }
}
