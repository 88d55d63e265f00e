package dev.tether.balance.spread;

import static dev.tether.balance.Fixtures.env;
import static dev.tether.balance.Fixtures.member;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.Fixtures;
import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Picker;
import dev.tether.balance.ServerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinBalancerTest {

  private static Picker picker(List<Member> members) {
    return new WeightedRoundRobinBalancer().newPicker(members, Map.of(), env(1));
  }

  private static List<String> names(Picker picker, int picks) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < picks; i++) {
      out.add(picker.pick(PickRequest.EMPTY).name());
    }
    return out;
  }

  @Test
  void producesNginxSmoothSequenceFor5To1To1() {
    // nginx's own example (ngx_http_upstream_round_robin.c, commit 52327e0627f4): {a a b a c a a}.
    Picker picker = picker(List.of(member("a", 5), member("b", 1), member("c", 1)));
    assertThat(names(picker, 14))
        .containsExactly("a", "a", "b", "a", "c", "a", "a", "a", "a", "b", "a", "c", "a", "a");
  }

  @Test
  void interleavesInsteadOfBursting() {
    // 2:2:1 -> current weights (2,2,1) a, (-1,4,2) b, (1,1,3) c, (3,3,-1) a, (0,5,0) b.
    Picker picker = picker(List.of(member("a", 2), member("b", 2), member("c", 1)));
    assertThat(names(picker, 5)).containsExactly("a", "b", "c", "a", "b");
  }

  @Test
  void sharesFollowWeightsOver100kPicks() {
    // The sequence is deterministic with period 3+2+1 = 6, so after k full cycles every server has
    // exactly k × weight picks; 100k picks are 16 666 cycles and 4 extra picks, so each count is
    // within one weight (≤ 3) of 100 000 × w / 6. A tolerance of 3 is exact, not statistical.
    Picker picker = picker(List.of(member("a", 3), member("b", 2), member("c", 1)));
    Map<String, Integer> counts = Fixtures.counts(picker, PickRequest.EMPTY, 100_000);
    assertThat(counts.get("a")).isCloseTo(50_000, org.assertj.core.data.Offset.offset(3));
    assertThat(counts.get("b")).isCloseTo(33_333, org.assertj.core.data.Offset.offset(3));
    assertThat(counts.get("c")).isCloseTo(16_667, org.assertj.core.data.Offset.offset(3));
  }

  @Test
  void reducesWeightsByTheirCommonDivisor() {
    int[] cycle =
        WeightedRoundRobinBalancer.cycle(
            new Member[] {member("a", 500), member("b", 100), member("c", 100)});
    assertThat(cycle).containsExactly(0, 0, 1, 0, 2, 0, 0);
  }

  @Test
  void staysInRangeWhenTheCounterOverflows() {
    Member[] ms = {member("a", 2), member("b", 1)};
    int[] cycle = WeightedRoundRobinBalancer.cycle(ms);
    assertThat(cycle).containsExactly(0, 1, 0);
    var picker =
        new WeightedRoundRobinBalancer.WeightedRoundRobinPicker(
            ms, cycle, null, env(1).random(), Integer.MAX_VALUE - 1);
    // (MAX-1) % 3 = 0 -> a; MAX % 3 = 1 -> b; then MIN & MAX = 0 -> a, 1 -> b, 2 -> a.
    assertThat(names(picker, 5)).containsExactly("a", "b", "a", "b", "a");
  }

  @Test
  void largeCoprimeWeightsUseEarliestDeadlineWithExactCounts() {
    // 450 servers with weights 1..450: cycle 101 475 entries × 450 servers > 2^25 steps, so the
    // cycle is built by earliest-deadline-first; counts per cycle must still equal the weights.
    Member[] ms = new Member[450];
    for (int i = 0; i < ms.length; i++) {
      ms[i] = member("s" + i, i + 1);
    }
    int[] cycle = WeightedRoundRobinBalancer.cycle(ms);
    assertThat(cycle).hasSize(450 * 451 / 2);
    int[] counts = new int[ms.length];
    for (int i : cycle) {
      counts[i]++;
    }
    for (int i = 0; i < ms.length; i++) {
      assertThat(counts[i]).as("turns of s%d", i).isEqualTo(i + 1);
    }
    // Smooth: the heaviest server (weight 450 of 101 475) is due every 101 475 / 450 ≈ 226 picks;
    // it never waits more than twice that (a burst-style WRR would make it wait ~101 000).
    int last = -1;
    int maxGap = 0;
    for (int p = 0; p < cycle.length; p++) {
      if (cycle[p] == 449) {
        if (last >= 0) {
          maxGap = Math.max(maxGap, p - last);
        }
        last = p;
      }
    }
    assertThat(maxGap).isLessThanOrEqualTo(2 * 226);
  }

  @Test
  void earliestDeadlineAndSmoothAgreeOnCounts() {
    long[] w = {5, 3, 2};
    int[] smooth = WeightedRoundRobinBalancer.smooth(w, 10);
    int[] edf = WeightedRoundRobinBalancer.earliestDeadline(w, 10);
    assertThat(count(smooth, 0)).isEqualTo(count(edf, 0)).isEqualTo(5);
    assertThat(count(smooth, 1)).isEqualTo(count(edf, 1)).isEqualTo(3);
  }

  private static int count(int[] seq, int i) {
    int c = 0;
    for (int s : seq) {
      c += s == i ? 1 : 0;
    }
    return c;
  }

  @Test
  void skipsUnavailableAndZeroWeightServersAndSaysNoneWhenNothingIsLeft() {
    Picker picker =
        picker(
            List.of(
                member("a", 1, ServerState.DOWN),
                member("b", 2),
                member("c", 0),
                member("d", 1, ServerState.DRAINING)));
    assertThat(names(picker, 4)).containsOnly("b");
    assertThat(picker(List.of(member("a", 1, ServerState.DISABLED))).pick(PickRequest.EMPTY))
        .isNull();
    assertThat(picker(List.of()).pick(PickRequest.EMPTY)).isNull();
  }

  @Test
  void pickExcludingAvoidsTheHeavyServer() {
    Member a = member("a", 100);
    Picker picker = picker(List.of(a, member("b", 1)));
    for (int i = 0; i < 50; i++) {
      assertThat(picker.pickExcluding(PickRequest.EMPTY, a).name()).isEqualTo("b");
    }
    assertThat(picker(List.of(a)).pickExcluding(PickRequest.EMPTY, a)).isNull();
  }
}
