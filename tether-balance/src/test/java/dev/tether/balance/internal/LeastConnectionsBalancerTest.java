package dev.tether.balance.internal;

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
}
