package dev.tether.proxy.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.balance.ServerState;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityRules;
import dev.tether.balance.affinity.policy.AffinityPolicies;
import dev.tether.balance.affinity.table.SessionTracker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Rates, lifespans, spread and imbalance with a fake ticker: no sleeping, no sockets. */
class PoolAnalyticsTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final SplittableRandom random = new SplittableRandom(7);
  private final BalanceEnv env = new BalanceEnv(now::get, () -> random);
  private final Pool pool =
      new Pool(
          "web",
          List.of(
              new Server("s1", "127.0.0.1", 9001, 1),
              new Server("s2", "127.0.0.1", 9002, 1),
              new Server("s3", "127.0.0.1", 9003, 1)),
          Balancers.find("round-robin").orElseThrow(),
          Map.of(),
          env);
  private final AffinityPolicy affinity =
      AffinityPolicies.keyed(
          "header",
          r -> null,
          null,
          AffinityRules.DEFAULTS.withSessionWindow(Duration.ofMinutes(1)),
          env);
  private final SessionTracker tracker = affinity.stats().sessions();
  private final Analytics analytics = Analytics.manual(now::get);

  PoolAnalyticsTest() {
    analytics.bind(Map.of("web", pool), Map.of(), p -> affinity, Map.of());
  }

  private void advance(long seconds) {
    now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    analytics.sample();
  }

  @Test
  void birthRateIsNewKeysPerSecondOverTheLastMinute() {
    analytics.sample();
    for (int second = 0; second < 60; second++) {
      tracker.touch("k" + second + "a", "s1");
      tracker.touch("k" + second + "b", "s2");
      tracker.touch("k" + second + "a", "s1"); // seen again: not a birth
      advance(1);
    }
    PoolFigures f = analytics.figures("web");
    assertThat(f.birthRatePerSecond()).isCloseTo(2.0, within(1e-9));
    PoolSignals signals = analytics.signals().getFirst();
    assertThat(signals.birthRate(Duration.ofSeconds(10))).isCloseTo(2.0, within(1e-9));
    // a quiet half minute halves the last minute's rate
    advance(30);
    assertThat(analytics.figures("web").birthRatePerSecond()).isCloseTo(1.0, within(0.05));
  }

  @Test
  void spreadAndImbalanceCountOnlyServersTakingWork() {
    for (int i = 0; i < 6; i++) {
      tracker.touch("a" + i, "s1");
    }
    tracker.touch("b", "s2");
    tracker.touch("c", "s3");
    tracker.touch("d", "s3");
    analytics.sample();
    PoolFigures f = analytics.figures("web");
    assertThat(f.live()).isEqualTo(9);
    assertThat(f.servers()).extracting(PoolFigures.ServerFigures::live).containsExactly(6L, 1L, 2L);
    assertThat(f.imbalance()).isCloseTo(6 / 3.0, within(1e-9)); // max 6 over mean 9/3
    pool.setState("s2", ServerState.DRAINING);
    analytics.sample();
    assertThat(analytics.figures("web").imbalance())
        .isCloseTo(6 / 4.0, within(1e-9)); // s1 and s3: mean 8/2
    assertThat(
            analytics
                .registry()
                .get("tether.affinity.server.sessions")
                .tag("server", "s1")
                .gauge()
                .value())
        .isEqualTo(6);
    assertThat(analytics.registry().get("tether.affinity.session.imbalance").gauge().value())
        .isCloseTo(1.5, within(1e-9));
  }

  @Test
  void noSessionsMeansNoImbalance() {
    analytics.sample();
    assertThat(analytics.figures("web").imbalance()).isNaN();
    assertThat(analytics.figures("web").toJson()).containsEntry("imbalance", null);
  }

  @Test
  void lifespansAreRecordedWhenKeysExpireOrAreForgotten() {
    tracker.touch("a", "s1");
    tracker.touch("b", "s2");
    now.addAndGet(TimeUnit.SECONDS.toNanos(40));
    tracker.touch("a", "s1");
    tracker.forget("b"); // lifespan 0
    now.addAndGet(TimeUnit.SECONDS.toNanos(50));
    tracker.touch("a", "s1"); // a: 90 s so far
    now.addAndGet(TimeUnit.SECONDS.toNanos(61)); // a expires idle
    analytics.sample();
    PoolFigures.Lifespan l = analytics.figures("web").lifespan();
    assertThat(l.count()).isEqualTo(2);
    assertThat(l.max()).isEqualTo(90.0);
    assertThat(l.mean()).isCloseTo(45.0, within(1e-9));
    assertThat(l.p99()).isBetween(60.0, 90.0); // inside the (60, 120] bucket, capped by the max
    assertThat(analytics.registry().get("tether.affinity.session.lifespan").summary().count())
        .isEqualTo(2);
    assertThat(analytics.registry().get("tether.affinity.session.births").functionCounter().count())
        .isEqualTo(2);
  }

  @Test
  void requestRatesErrorsAndLatencyPercentilesComeFromTheMeters() {
    PoolTraffic t = analytics.traffic("web");
    analytics.sample();
    for (int second = 0; second < 10; second++) {
      for (int i = 0; i < 100; i++) {
        t.record("s1", i < 5 ? 502 : 200, TimeUnit.MICROSECONDS.toNanos(i < 50 ? 700 : 3000));
      }
      t.record(null, 503, 1000); // no server available
      advance(1);
    }
    PoolFigures.ServerFigures s1 = analytics.figures("web").servers().getFirst();
    assertThat(s1.requestsPerSecond()).isCloseTo(100, within(1e-9));
    assertThat(s1.errorsPerSecond()).isCloseTo(5, within(1e-9));
    assertThat(s1.latencyP50Ms()).isBetween(0.5, 1.0); // the (0.5, 1] ms bucket
    assertThat(s1.latencyP99Ms()).isBetween(2.5, 5.0); // the (2.5, 5] ms bucket
    // pool share: (50 + 10 unserved) / (1000 + 10)
    assertThat(analytics.signals().getFirst().errorShare(Duration.ofMinutes(1)))
        .isCloseTo(60 / 1010.0, within(1e-9));
    assertThat(
            analytics.registry().get("tether.server.errors").tag("server", "s1").counter().count())
        .isEqualTo(50);
    assertThat(analytics.registry().get("tether.pool.unserved").counter().count()).isEqualTo(10);
  }

  @Test
  void requestMetersSurviveARebindAndRemovedServersLoseThem() {
    analytics.traffic("web").record("s3", 200, 1000);
    pool.setServers(
        List.of(new Server("s1", "127.0.0.1", 9001, 1), new Server("s2", "127.0.0.1", 9002, 1)));
    analytics.bind(Map.of("web", pool), Map.of(), p -> affinity, Map.of());
    analytics.traffic("web").record("s1", 200, 1000);
    analytics.traffic("web").record("s1", 200, 1000);
    assertThat(
            analytics
                .registry()
                .get("tether.server.request.duration")
                .tag("server", "s1")
                .timer()
                .count())
        .isEqualTo(2);
    assertThat(
            analytics.registry().find("tether.server.request.duration").tag("server", "s3").timer())
        .isNull();
  }
}
