package dev.tether.balance.affinity.policy;

import static dev.tether.balance.affinity.policy.PolicyFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.PickRequest;
import dev.tether.balance.ServerState;
import dev.tether.balance.affinity.AffinityDecision;
import dev.tether.balance.affinity.AffinityOutcome;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityRules;
import dev.tether.balance.affinity.ClientPrefix;
import dev.tether.balance.affinity.ResponseHeaders;
import dev.tether.balance.affinity.table.LocalStickTable;
import dev.tether.balance.affinity.table.StickTable;
import dev.tether.balance.affinity.table.StickTableStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeyedPoliciesTest {

  private final PolicyFixture f = new PolicyFixture(3);
  private final AffinityRules rules = AffinityRules.DEFAULTS.withFirstRequestWindow(Duration.ZERO);

  private AffinityPolicy appCookie(StickTable table) {
    return AffinityPolicies.appCookie("JSESSIONID", ".", true, table, rules, f.env);
  }

  private final LocalStickTable table = new LocalStickTable(1000, Duration.ofMinutes(30), f.ticker);

  @Test
  void appCookieRouteSuffixNeedsNoTable() {
    AffinityPolicy p = appCookie(table);
    for (int i = 0; i < 10; i++) {
      AffinityDecision d =
          p.decide(request("10.0.0.1", "JSESSIONID", "abc" + i + ".r2"), f.pool.snapshot(), null);
      assertThat(d.member().name()).isEqualTo("s2");
      assertThat(d.outcome()).isEqualTo(AffinityOutcome.HIT);
    }
  }

  @Test
  void appCookieLearnsFromSetCookie() {
    AffinityPolicy p = appCookie(table);
    AffinityDecision first = p.decide(request("10.0.0.1"), f.pool.snapshot(), null);
    assertThat(first.outcome()).isEqualTo(AffinityOutcome.NEW);
    p.onResponse(
        first,
        headers(
            "Set-Cookie",
            "other=1; Path=/",
            "Set-Cookie",
            "JSESSIONID=\"s3cr3t\"; Path=/; HttpOnly"));
    assertThat(table.get("s3cr3t")).isEqualTo(first.member().name());
    for (int i = 0; i < 20; i++) {
      AffinityDecision d =
          p.decide(request("10.0.0.2", "JSESSIONID", "s3cr3t"), f.pool.snapshot(), null);
      assertThat(d.member().name()).isEqualTo(first.member().name());
      assertThat(d.outcome()).isEqualTo(AffinityOutcome.HIT);
    }
    assertThat(table.stats().hits()).isGreaterThanOrEqualTo(20);
  }

  @Test
  void appCookieUnknownValueIsBalancedAndRemembered() {
    AffinityPolicy p = appCookie(table);
    AffinityDecision d =
        p.decide(request("10.0.0.1", "JSESSIONID", "zzz"), f.pool.snapshot(), null);
    assertThat(d.outcome()).isEqualTo(AffinityOutcome.NEW);
    assertThat(table.get("zzz")).isEqualTo(d.member().name());
    f.pool.setState(d.member().name(), ServerState.DOWN);
    AffinityDecision again =
        p.decide(request("10.0.0.1", "JSESSIONID", "zzz"), f.pool.snapshot(), null);
    assertThat(again.outcome()).isEqualTo(AffinityOutcome.REDISPATCHED_DOWN);
    assertThat(table.get("zzz")).isEqualTo(again.member().name());
  }

  @Test
  void stickTableExpiresIdleEntriesAndIsBounded() {
    table.put("a", "s1");
    f.clock.advance(31, TimeUnit.MINUTES);
    assertThat(table.get("a")).isNull();
    LocalStickTable small = new LocalStickTable(10, Duration.ofMinutes(30), f.ticker);
    for (int i = 0; i < 100; i++) {
      small.put("k" + i, "s1");
    }
    StickTableStats s = small.stats();
    assertThat(s.size()).isLessThanOrEqualTo(10);
    assertThat(s.evictions()).isGreaterThanOrEqualTo(90);
  }

  @Test
  void sourceIpHashIsStableAndGroupsPrefixes() {
    ClientPrefix prefix = new ClientPrefix(24, 64);
    AffinityPolicy p =
        AffinityPolicies.keyed("source-ip", r -> prefix.key(r.clientAddress()), null, rules, f.env);
    Map<String, Integer> spread = new HashMap<>();
    for (int net = 0; net < 300; net++) {
      String net24 = "10." + net / 256 + "." + net % 256 + ".";
      String first = p.decide(request(net24 + "7"), f.pool.snapshot(), null).member().name();
      assertThat(p.decide(request(net24 + "200"), f.pool.snapshot(), null).member().name())
          .as("same /24")
          .isEqualTo(first);
      spread.merge(first, 1, Integer::sum);
    }
    // 300 keys over 3 servers: expected 100 each, σ ≈ 8.2; 60 is beyond 4σ.
    assertThat(spread).allSatisfy((s, n) -> assertThat(n).isGreaterThan(60));
  }

  @Test
  void hashMovesOnlyTheKeysOfAServerThatGoesDown() {
    AffinityPolicy p =
        AffinityPolicies.keyed("header", r -> r.header("x-user"), null, rules, f.env);
    Map<String, String> before = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      before.put("u" + i, p.decide(user("u" + i), f.pool.snapshot(), null).member().name());
    }
    f.pool.setState("s2", ServerState.DOWN);
    for (int i = 0; i < 300; i++) {
      String now = p.decide(user("u" + i), f.pool.snapshot(), null).member().name();
      if (!before.get("u" + i).equals("s2")) {
        assertThat(now).isEqualTo(before.get("u" + i));
      } else {
        assertThat(now).isNotEqualTo("s2");
      }
    }
  }

  @Test
  void hashDrainingServerKeepsSeenKeysOnly() {
    AffinityPolicy p =
        AffinityPolicies.keyed("header", r -> r.header("x-user"), null, rules, f.env);
    String onS1 = null;
    for (int i = 0; onS1 == null; i++) {
      if (p.decide(user("u" + i), f.pool.snapshot(), null).member().name().equals("s1")) {
        onS1 = "u" + i;
      }
    }
    f.pool.setState("s1", ServerState.DRAINING);
    assertThat(p.decide(user(onS1), f.pool.snapshot(), null).member().name()).isEqualTo("s1");
    for (int i = 1000; i < 1100; i++) {
      assertThat(p.decide(user("u" + i), f.pool.snapshot(), null).member().name())
          .isNotEqualTo("s1");
    }
  }

  @Test
  void headerTableMode() {
    AffinityPolicy p =
        AffinityPolicies.keyed("header", r -> r.header("x-user"), table, rules, f.env);
    String first = p.decide(user("alice"), f.pool.snapshot(), null).member().name();
    for (int i = 0; i < 10; i++) {
      assertThat(p.decide(user("alice"), f.pool.snapshot(), null).member().name()).isEqualTo(first);
    }
    assertThat(table.get("alice")).isEqualTo(first);
    assertThat(p.decide(request("10.0.0.1"), f.pool.snapshot(), null).outcome())
        .isEqualTo(AffinityOutcome.NEW);
  }

  @Test
  void clientPrefixes() {
    ClientPrefix p = new ClientPrefix(24, 64);
    assertThat(p.key("203.0.113.77")).isEqualTo("203.0.113.0/24");
    assertThat(p.key("2001:db8:1:2:3:4:5:6")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
    assertThat(p.key("[2001:db8::1]")).isEqualTo("2001:db8:0:0:0:0:0:0/64");
    assertThat(new ClientPrefix(32, 128).key("203.0.113.77")).isEqualTo("203.0.113.77");
    for (String bad : List.of("example.com", "beef.cafe", "abc", "")) {
      assertThat(p.key(bad)).as(bad).isNull();
    }
  }

  private static PickRequest user(String id) {
    return request("10.0.0.1", "header:x-user", id);
  }

  private static ResponseHeaders headers(String... nv) {
    return new ResponseHeaders() {
      @Override
      public List<String> getAll(String name) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < nv.length; i += 2) {
          if (nv[i].equalsIgnoreCase(name)) {
            out.add(nv[i + 1]);
          }
        }
        return out;
      }

      @Override
      public void add(String name, String value) {
        throw new UnsupportedOperationException();
      }
    };
  }
}
