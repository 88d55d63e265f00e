package dev.tether.balance.spread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.BalancerProvider;
import dev.tether.balance.Fixtures;
import dev.tether.balance.Fixtures.ManualTicker;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.balance.ServerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A server added to a pool ramps from 10% to 100% of its weight over the slow-start window. Servers
 * a and b (weight 1) are up from the start; c (weight 1) is added at t = 0 with a 10 s window.
 * Expected share of c: 0.1 / 2.1 ≈ 4.8% at t = 0, 0.5 / 2.5 = 20% at t = 5 s, 1/3 from t = 10 s on.
 */
class SlowStartTest {

  private final ManualTicker ticker = new ManualTicker();
  private final BalanceEnv env = Fixtures.env(ticker, 21);

  private static Server server(String name) {
    return new Server(name, "127.0.0.1", 9000, 1);
  }

  private Pool poolWithAddedServer(BalancerProvider algorithm) {
    Pool pool =
        new Pool(
            "web", List.of(server("a"), server("b")), algorithm, Map.of("slow-start", "10s"), env);
    pool.setServers(List.of(server("a"), server("b"), server("c")));
    return pool;
  }

  private static double shareOfC(Pool pool) {
    // Shares over 100 000 picks: σ = √(n p (1 − p)) / n ≤ 0.0016 for p ≤ 1/3, five σ ≈ 0.008.
    // (Weighted round robin is not independent per pick, but its rejection coin flips are.)
    var counts = Fixtures.counts(pool.snapshot().picker(), PickRequest.EMPTY, 100_000);
    return counts.getOrDefault("c", 0) / 100_000.0;
  }

  private void checkRamp(BalancerProvider algorithm) {
    Pool pool = poolWithAddedServer(algorithm);
    assertThat(shareOfC(pool)).as("t = 0").isCloseTo(0.1 / 2.1, offset(0.008));
    ticker.advance(5, TimeUnit.SECONDS);
    assertThat(shareOfC(pool)).as("t = 5 s").isCloseTo(0.2, offset(0.008));
    ticker.advance(5, TimeUnit.SECONDS);
    assertThat(shareOfC(pool)).as("t = 10 s").isCloseTo(1 / 3.0, offset(0.008));
  }

  @Test
  void randomRamps() {
    checkRamp(new RandomBalancer());
  }

  @Test
  void weightedRoundRobinRamps() {
    checkRamp(new WeightedRoundRobinBalancer());
  }

  @Test
  void powerOfTwoDrawsCandidatesInProportionToTheRampedWeight() {
    // Nothing is started, so in-flight counts tie and the first candidate wins: shares follow the
    // candidate draw, i.e. the ramped weights.
    checkRamp(new PowerOfTwoBalancer());
  }

  @Test
  void leastConnectionsKeepsARampingServerBelowItsShare() {
    // Least connections divides (in flight + 1) by the ramped weight: with every server at 9 in
    // flight, c at t = 5 s scores 10 / 0.5 = 20 against 10 for a and b, so it gets nothing until
    // a and b reach 19.
    Pool pool = poolWithAddedServer(new LeastConnectionsBalancer());
    ticker.advance(5, TimeUnit.SECONDS);
    var snapshot = pool.snapshot();
    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      var m = snapshot.picker().pick(PickRequest.EMPTY);
      m.load().start();
      picks.add(m.name());
    }
    assertThat(picks.stream().filter("c"::equals).count()).isBetween(1L, 5L);
    ticker.advance(5, TimeUnit.SECONDS);
    assertThat(snapshot.member("c").load().inFlight())
        .isLessThan(snapshot.member("a").load().inFlight());
  }

  @Test
  void serversPresentAtStartDoNotRampButOnesComingBackUpDo() {
    Pool pool =
        new Pool(
            "web",
            List.of(server("a"), server("b")),
            new RandomBalancer(),
            Map.of("slow-start", "10s"),
            env);
    assertThat(shareOfCalled(pool, "b")).isCloseTo(0.5, offset(0.008));
    pool.setState("b", ServerState.DOWN);
    assertThat(shareOfCalled(pool, "b")).isZero();
    pool.setState("b", ServerState.UP);
    assertThat(shareOfCalled(pool, "b")).isCloseTo(0.1 / 1.1, offset(0.008));
    ticker.advance(10, TimeUnit.SECONDS);
    assertThat(shareOfCalled(pool, "b")).isCloseTo(0.5, offset(0.008));
  }

  private static double shareOfCalled(Pool pool, String name) {
    var counts = Fixtures.counts(pool.snapshot().picker(), PickRequest.EMPTY, 100_000);
    return counts.getOrDefault(name, 0) / 100_000.0;
  }

  @Test
  void rejectsABadWindowSayingWhatIsAllowed() {
    assertThat(new RandomBalancer().validate(Map.of("slow-start", "ten seconds")))
        .singleElement()
        .asString()
        .contains("slow-start", "ten seconds", "500ms, 30s or 2m");
  }
}
