package dev.tether.proxy.affinity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityRules;
import dev.tether.balance.affinity.policy.AffinityPolicies;
import dev.tether.balance.affinity.table.LocalStickTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AffinityMetersTest {

  @Test
  void decisionsSessionsAndTableStatsAreMeters() {
    Pool pool =
        new Pool(
            "web",
            List.of(new Server("s1", "127.0.0.1", 9001, 1), new Server("s2", "127.0.0.1", 9002, 1)),
            Balancers.find("round-robin").orElseThrow(),
            Map.of(),
            BalanceEnv.SYSTEM);
    AffinityPolicy p =
        AffinityPolicies.keyed(
            "header",
            r -> r.header("x-user"),
            new LocalStickTable(100, Duration.ofMinutes(5), System::nanoTime),
            AffinityRules.DEFAULTS.withFirstRequestWindow(Duration.ZERO),
            BalanceEnv.SYSTEM);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AffinityMeters.bind(registry, "web", p);
    PickRequest alice =
        new PickRequest() {
          @Override
          public String header(String name) {
            return "alice";
          }
        };
    for (int i = 0; i < 5; i++) {
      p.decide(alice, pool.snapshot(), null);
    }
    assertThat(
            registry
                .get("tether.affinity.decisions")
                .tag("outcome", "new")
                .functionCounter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("tether.affinity.decisions")
                .tag("outcome", "hit")
                .functionCounter()
                .count())
        .isEqualTo(4);
    assertThat(registry.get("tether.affinity.sessions").gauge().value()).isEqualTo(1);
    assertThat(registry.get("tether.stick.table.size").gauge().value()).isEqualTo(1);
    assertThat(registry.get("tether.stick.table.hits").functionCounter().count()).isEqualTo(4);
    assertThat(registry.get("tether.stick.table.misses").functionCounter().count()).isEqualTo(1);
  }
}
