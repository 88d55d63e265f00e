package dev.tether.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/**
 * A server's requested weight on top of its configured one, and what the pool's picker makes of it.
 */
class WeightOverrideTest {

  @Test
  void percentagesRoundHalfUpAndNeverDrainByRounding() {
    assertThat(new WeightOverride(50, true).apply(4)).isEqualTo(2);
    assertThat(new WeightOverride(50, true).apply(3)).as("1.5 rounds up").isEqualTo(2);
    assertThat(new WeightOverride(1, true).apply(1)).as("1% of 1 is still 1").isEqualTo(1);
    assertThat(new WeightOverride(0, true).apply(10)).isZero();
    assertThat(new WeightOverride(100, true).apply(0)).isZero();
    assertThat(new WeightOverride(100, true).apply(256)).isEqualTo(256);
    assertThat(new WeightOverride(7, false).apply(2)).as("absolute").isEqualTo(7);
    assertThat(new WeightOverride(50, true)).hasToString("50%");
    assertThat(new WeightOverride(7, false)).hasToString("7");
    assertThatThrownBy(() -> new WeightOverride(101, true)).hasMessage("101% is outside 0..100%");
    assertThatThrownBy(() -> new WeightOverride(257, false))
        .hasMessage("weight 257 is outside 0..256");
  }

  @Test
  void thePoolBalancesWithTheOverrideAndKeepsTheConfiguredWeight() {
    Pool p =
        new Pool(
            "web",
            List.of(new Server("s1", "127.0.0.1", 9001, 2), new Server("s2", "127.0.0.1", 9002, 2)),
            Balancers.find("weighted-round-robin").orElseThrow(),
            Map.of(),
            Fixtures.env(7));
    assertThat(p.setWeightOverride("s1", new WeightOverride(50, true))).isTrue();
    assertThat(p.setWeightOverride("s1", new WeightOverride(50, true)))
        .as("no change, no rebuild")
        .isFalse();
    assertThat(p.snapshot().member("s1").weight()).isEqualTo(1);
    assertThat(p.configuredWeight("s1")).isEqualTo(2);
    assertThat(p.weightOverride("s1")).isEqualTo(new WeightOverride(50, true));

    // Weights 1:2 under smooth weighted round robin: exactly 1 of every 3 picks is s1.
    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      picks.merge(
          p.snapshot().picker().pick(Fixtures.Request.ip("10.0.0." + (i % 250))).name(),
          1,
          Integer::sum);
    }
    assertThat(picks).containsEntry("s1", 1000).containsEntry("s2", 2000);

    // A new configured weight (reload, runtime change) keeps the override, applied to it.
    p.setServers(
        List.of(new Server("s1", "127.0.0.1", 9001, 8), new Server("s2", "127.0.0.1", 9002, 2)));
    assertThat(p.snapshot().member("s1").weight()).isEqualTo(4);
    assertThat(p.setWeightOverride("s1", null)).isTrue();
    assertThat(p.snapshot().member("s1").weight()).isEqualTo(8);

    p.setWeightOverride("s2", new WeightOverride(0, true));
    p.setServers(List.of(new Server("s1", "127.0.0.1", 9001, 8)));
    p.setServers(
        List.of(new Server("s1", "127.0.0.1", 9001, 8), new Server("s2", "127.0.0.1", 9002, 2)));
    assertThat(p.snapshot().member("s2").weight())
        .as("a removed server's override goes with it")
        .isEqualTo(2);
    assertThat(p.configuredWeight("s9")).isEqualTo(-1);
    assertThatThrownBy(() -> p.setWeightOverride("s9", null))
        .isInstanceOf(NoSuchElementException.class);
  }
}
