package dev.tether.balance.spread;

import static dev.tether.balance.Fixtures.member;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Fixtures;
import dev.tether.balance.Fixtures.ManualTicker;
import dev.tether.balance.Member;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Picker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeastResponseTimeBalancerTest {

  private static final long MS = 1_000_000L;

  private final ManualTicker ticker = new ManualTicker();
  private final BalanceEnv env = Fixtures.env(ticker, 9);

  private Picker picker(Member... members) {
    return new LeastResponseTimeBalancer().newPicker(List.of(members), Map.of(), env);
  }

  private void answer(Member m, long latencyNanos) {
    m.load().start();
    m.load().finish(latencyNanos, ticker.getAsLong());
  }

  @Test
  void prefersTheFasterServerUntilItsQueueCostsMore() {
    Member fast = member("fast", 1);
    Member slow = member("slow", 1);
    answer(fast, 10 * MS);
    answer(slow, 100 * MS);
    // With two members the candidates are always both; cost = latency × (in flight + 1).
    Picker picker = picker(fast, slow);
    assertThat(picker.pick(PickRequest.EMPTY)).isSameAs(fast);
    // 10 in flight on fast: 10 ms × 11 = 110 ms > 100 ms × 1 -> slow.
    for (int i = 0; i < 10; i++) {
      fast.load().start();
    }
    assertThat(picker.pick(PickRequest.EMPTY)).isSameAs(slow);
  }

  @Test
  void aLatencySpikeTakesEffectAtOnceAndDecaysAfterwards() {
    Member a = member("a", 1);
    Member b = member("b", 1);
    answer(a, 10 * MS);
    answer(b, 20 * MS);
    Picker picker = picker(a, b);
    assertThat(picker.pick(PickRequest.EMPTY)).isSameAs(a);
    answer(a, 500 * MS); // peak: replaces the average immediately
    assertThat(a.load().latencyNanos(ticker.getAsLong())).isEqualTo(500.0 * MS);
    assertThat(picker.pick(PickRequest.EMPTY)).isSameAs(b);
    // Fast answers over the next 60 s (six decay constants): 500 × e^−6 + 10 ≈ 11 ms, below b.
    for (int s = 0; s < 60; s++) {
      ticker.advance(1, TimeUnit.SECONDS);
      answer(a, 10 * MS);
      answer(b, 20 * MS);
    }
    assertThat(a.load().latencyNanos(ticker.getAsLong())).isLessThan(12.0 * MS);
    assertThat(picker.pick(PickRequest.EMPTY)).isSameAs(a);
  }

  @Test
  void aServerWithoutMeasurementIsProbedOneRequestAtATime() {
    Member measured = member("measured", 1);
    Member fresh = member("fresh", 1);
    answer(measured, 10 * MS);
    Picker picker = picker(measured, fresh);
    assertThat(picker.pick(PickRequest.EMPTY)).isSameAs(fresh); // cost 0 while idle
    fresh.load().start();
    assertThat(picker.pick(PickRequest.EMPTY))
        .isSameAs(measured); // penalty while its first request runs
  }
}
