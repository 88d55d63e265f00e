package dev.tether.balance.spread;

import static dev.tether.balance.Fixtures.env;
import static dev.tether.balance.Fixtures.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.tether.balance.Fixtures;
import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Picker;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LeastConnectionsBalancerTest {

  private static Picker picker(List<Member> members) {
    return new LeastConnectionsBalancer().newPicker(members, Map.of(), env(5));
  }

  @Test
  void choosesTheServerWithFewestInFlight() {
    Member a = member("a", 1);
    Member b = member("b", 1);
    Member c = member("c", 1);
    a.load().start();
    a.load().start();
    c.load().start();
    assertThat(picker(List.of(a, b, c)).pick(PickRequest.EMPTY)).isSameAs(b);
  }

  @Test
  void weighsInFlightByWeight() {
    // (in flight + 1) / weight: a = (3 + 1) / 4 = 1.0, b = (1 + 1) / 1 = 2.0 -> a, although busier.
    Member a = member("a", 4);
    Member b = member("b", 1);
    for (int i = 0; i < 3; i++) {
      a.load().start();
    }
    b.load().start();
    assertThat(picker(List.of(a, b)).pick(PickRequest.EMPTY)).isSameAs(a);
  }

  @Test
  void breaksTiesUniformlyNotAlwaysToTheFirst() {
    // Five idle servers tie on every pick (nothing is started). Each should win 1/5 of the time:
    // σ = √(100 000 × 0.2 × 0.8) ≈ 126 picks, so five σ ≈ 632. Always-first would give 100 000 to
    // s0, and a random start position with the ties s0, s1 adjacent would give s1 only 1/5 of the
    // starts; reservoir sampling gives each exactly 1/5.
    Picker picker = picker(Fixtures.members(5));
    Map<String, Integer> counts = Fixtures.counts(picker, PickRequest.EMPTY, 100_000);
    assertThat(counts).hasSize(5);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isCloseTo(20_000, offset(632)));
  }

  @Test
  void pickExcludingTakesTheNextLeastLoaded() {
    Member a = member("a", 1);
    Member b = member("b", 1);
    b.load().start();
    Picker picker = picker(List.of(a, b));
    assertThat(picker.pickExcluding(PickRequest.EMPTY, a)).isSameAs(b);
    assertThat(picker(List.of(a)).pickExcluding(PickRequest.EMPTY, a)).isNull();
  }

  @Test
  void tiesBetweenDifferentWeightsAreExactAndShared() {
    // a: (0 + 1) / 1 = 1, b: (1 + 1) / 2 = 1, c: (2 + 1) / 3 = 1 — equal scores from different
    // weights must tie exactly (scores are integers scaled by lcm(1, 2, 3) = 6), so each wins 1/3:
    // σ = √(90 000 × 1/3 × 2/3) ≈ 141, five σ ≈ 707.
    Member a = member("a", 1);
    Member b = member("b", 2);
    Member c = member("c", 3);
    b.load().start();
    c.load().start();
    c.load().start();
    Map<String, Integer> counts =
        Fixtures.counts(picker(List.of(a, b, c)), PickRequest.EMPTY, 90_000);
    assertThat(counts.values())
        .hasSize(3)
        .allSatisfy(n -> assertThat(n).isCloseTo(30_000, offset(707)));
  }

  @Test
  void agreesWithExactRationalScoresForRandomLoadsAndWeights() {
    // Small weights take the integer path, large coprime ones (lcm above 2^31) the double path;
    // both must return a member whose (in flight + 1) / weight is the true minimum.
    SplittableRandom random = new SplittableRandom(11);
    int[][] weightSets = {
      {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {46_337, 46_349, 46_351, 65_521, 3, 1, 7, 9, 2, 5}
    };
    for (int[] weights : weightSets) {
      for (int round = 0; round < 2_000; round++) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
          Member m = member("s" + i, weights[i]);
          int inFlight = random.nextInt(40);
          for (int k = 0; k < inFlight; k++) {
            m.load().start();
          }
          members.add(m);
        }
        Member picked = picker(members).pick(PickRequest.EMPTY);
        for (Member other : members) {
          assertThat(compareScores(picked, other))
              .as("picked %s over %s", picked, other)
              .isLessThanOrEqualTo(0);
        }
      }
    }
  }

  @Test
  void pickExcludingSkipsTheExcludedEvenWhenItIsLeastLoaded() {
    Member a = member("a", 2);
    Member b = member("b", 3);
    Member c = member("c", 1);
    b.load().start();
    c.load().start();
    Picker picker = picker(List.of(a, b, c));
    for (int i = 0; i < 1_000; i++) {
      assertThat(picker.pickExcluding(PickRequest.EMPTY, a)).isSameAs(b);
    }
  }

  /** Sign of (in flight + 1) / weight of {@code x} minus that of {@code y}, in exact arithmetic. */
  private static int compareScores(Member x, Member y) {
    BigInteger left =
        BigInteger.valueOf(x.load().inFlight() + 1L).multiply(BigInteger.valueOf(y.weight()));
    BigInteger right =
        BigInteger.valueOf(y.load().inFlight() + 1L).multiply(BigInteger.valueOf(x.weight()));
    return left.compareTo(right);
  }
}
