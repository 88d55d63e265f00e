package dev.tether.balance.spread;

import static dev.tether.balance.Fixtures.env;
import static dev.tether.balance.Fixtures.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.tether.balance.Fixtures;
import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Picker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RandomBalancerTest {

  @Test
  void sharesFollowWeightsWithinFiveSigma() {
    // Weights 1:2:3:4, so p = 0.1, 0.2, 0.3, 0.4. Over n = 100 000 independent picks a count is
    // Binomial(n, p) with σ = √(n p (1 − p)) ≤ √(100 000 × 0.25) ≈ 158; five σ ≈ 790 picks. The
    // seed is fixed, so the test is deterministic, and a wrong distribution (e.g. uniform: 25 000
    // each) would miss by thousands.
    Picker picker =
        new RandomBalancer()
            .newPicker(
                List.of(member("a", 1), member("b", 2), member("c", 3), member("d", 4)),
                Map.of(),
                env(42));
    Map<String, Integer> counts = Fixtures.counts(picker, PickRequest.EMPTY, 100_000);
    assertThat(counts.get("a")).isCloseTo(10_000, offset(790));
    assertThat(counts.get("b")).isCloseTo(20_000, offset(790));
    assertThat(counts.get("c")).isCloseTo(30_000, offset(790));
    assertThat(counts.get("d")).isCloseTo(40_000, offset(790));
  }

  @Test
  void equalWeightsAreUniform() {
    // p = 1/3, σ = √(100 000 × 2/9) ≈ 149; five σ ≈ 745.
    Picker picker =
        new RandomBalancer()
            .newPicker(List.of(member("a", 7), member("b", 7), member("c", 7)), Map.of(), env(7));
    Map<String, Integer> counts = Fixtures.counts(picker, PickRequest.EMPTY, 100_000);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isCloseTo(33_333, offset(745)));
  }

  @Test
  void pickExcludingNeverReturnsTheExcludedServer() {
    Member heavy = member("heavy", 1000);
    Picker picker =
        new RandomBalancer().newPicker(List.of(heavy, member("light", 1)), Map.of(), env(3));
    for (int i = 0; i < 1000; i++) {
      assertThat(picker.pickExcluding(PickRequest.EMPTY, heavy).name()).isEqualTo("light");
    }
  }
}
