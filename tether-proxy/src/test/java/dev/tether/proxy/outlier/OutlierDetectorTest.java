package dev.tether.proxy.outlier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Ejection;
import dev.tether.balance.Member;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.balance.ServerState;
import dev.tether.proxy.config.OutlierConfig;
import dev.tether.testing.time.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The detector's state machine on a fake clock: no sockets, no sleeping. */
class OutlierDetectorTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration BASE = Duration.ofSeconds(30);

  private final SettableClock clock = new SettableClock(T0);
  private final FakeScheduler scheduler = new FakeScheduler(clock);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static Pool pool(int servers) {
    List<Server> list = new ArrayList<>();
    for (int i = 1; i <= servers; i++) {
      list.add(new Server("s" + i, "127.0.0.1", 9000 + i, 1));
    }
    return new Pool(
        "web", list, Balancers.find("round-robin").orElseThrow(), Map.of(), BalanceEnv.SYSTEM);
  }

  private OutlierDetector detector(Pool pool, OutlierConfig config) {
    return new OutlierDetector(pool, config, new OutlierDetector.Env(clock, scheduler, registry));
  }

  private final Pool pool = pool(4);
  private final OutlierDetector d = detector(pool, OutlierConfig.DEFAULTS);

  private boolean ejected(String server) {
    return pool.snapshot().member(server).ejected();
  }

  private void fail5xx(String server, int times, int status) {
    for (int i = 0; i < times; i++) {
      d.responded(server, status);
    }
  }

  private double ejections(String server, String reason) {
    var c =
        registry
            .find("tether.outlier.ejections")
            .tags("pool", "web", "server", server, "reason", reason)
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void fiveConsecutive5xxEjectAndFourDoNot() {
    fail5xx("s1", 4, 503);
    assertThat(ejected("s1")).isFalse();
    d.responded("s1", 502);
    assertThat(ejected("s1")).isTrue();
    Ejection e = pool.snapshot().member("s1").ejection();
    assertThat(e.reason()).isEqualTo("5 consecutive 5xx responses (last 502)");
    assertThat(e.until()).isEqualTo(T0.plus(BASE));
    assertThat(e.count()).isEqualTo(1);
    assertThat(pool.snapshot().member("s1").state())
        .as("not an operator state")
        .isEqualTo(ServerState.UP);
    assertThat(ejections("s1", "5xx")).isEqualTo(1);
  }

  @Test
  void aSuccessResetsTheRun() {
    fail5xx("s1", 4, 503);
    d.responded("s1", 200);
    fail5xx("s1", 4, 503);
    assertThat(ejected("s1")).isFalse();
    d.responded("s1", 404); // a client error is an answer, not a server failure
    fail5xx("s1", 4, 504);
    assertThat(ejected("s1")).isFalse();
    d.responded("s1", 500);
    assertThat(ejected("s1")).isTrue();
  }

  @Test
  void notImplementedAndVersionNotSupportedAreAnswersNotFailures() {
    assertThat(OutlierDetector.counts5xx(501)).isFalse();
    assertThat(OutlierDetector.counts5xx(505)).isFalse();
    assertThat(OutlierDetector.counts5xx(499)).isFalse();
    assertThat(OutlierDetector.counts5xx(600)).isFalse();
    for (int s : new int[] {500, 502, 503, 504, 599}) {
      assertThat(OutlierDetector.counts5xx(s)).as("%d", s).isTrue();
    }
    fail5xx("s1", 4, 503);
    d.responded("s1", 501);
    fail5xx("s1", 4, 503);
    assertThat(ejected("s1")).isFalse();
  }

  @Test
  void connectFailuresAndTimeoutsHaveTheirOwnThresholds() {
    d.connectFailed("s1");
    d.connectFailed("s1");
    assertThat(ejected("s1")).isFalse();
    d.connectFailed("s1");
    assertThat(ejected("s1")).isTrue();
    assertThat(pool.snapshot().member("s1").ejection().reason())
        .isEqualTo("3 consecutive connect failures");
    assertThat(ejections("s1", "connect-failure")).isEqualTo(1);

    d.timedOut("s2");
    d.timedOut("s2");
    d.responded("s2", 200);
    d.timedOut("s2");
    d.timedOut("s2");
    assertThat(ejected("s2")).isFalse();
    d.timedOut("s2");
    assertThat(ejected("s2")).isTrue();
    assertThat(pool.snapshot().member("s2").ejection().reason())
        .isEqualTo("3 consecutive timeouts");
  }

  @Test
  void aResponseEndsAConnectFailureRun() {
    d.connectFailed("s1");
    d.connectFailed("s1");
    d.responded("s1", 503); // it accepted a connection: the connect run is over
    d.connectFailed("s1");
    assertThat(ejected("s1")).isFalse();
  }

  @Test
  void thresholdZeroTurnsAKindOff() {
    OutlierDetector only5xx =
        detector(pool, new OutlierConfig(0, 2, 0, BASE, Duration.ofMinutes(5), 50));
    for (int i = 0; i < 10; i++) {
      only5xx.connectFailed("s1");
      only5xx.timedOut("s2");
    }
    assertThat(ejected("s1")).isFalse();
    assertThat(ejected("s2")).isFalse();
    only5xx.responded("s3", 503);
    only5xx.responded("s3", 503);
    assertThat(ejected("s3")).isTrue();
  }

  @Test
  void returnsWhenItsTimeIsUp() {
    fail5xx("s1", 5, 503);
    scheduler.advance(BASE.minusMillis(1));
    assertThat(ejected("s1")).isTrue();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(ejected("s1")).isFalse();
    assertThat(
            registry
                .find("tether.outlier.returns")
                .tags("server", "s1", "cause", "time")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void backoffDoublesWithEachRepeatedEjectionUpToTheCap() {
    List<Duration> lengths = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Instant start = clock.instant();
      fail5xx("s1", 5, 503);
      Ejection e = pool.snapshot().member("s1").ejection();
      lengths.add(Duration.between(start, e.until()));
      assertThat(e.count()).isEqualTo(Math.min(i + 1, 5));
      scheduler.advance(Duration.between(start, e.until()));
      assertThat(ejected("s1")).isFalse();
    }
    // 30s, 60s, 120s, 240s, then capped at max-ejection 5m
    assertThat(lengths)
        .containsExactly(
            Duration.ofSeconds(30),
            Duration.ofSeconds(60),
            Duration.ofSeconds(120),
            Duration.ofSeconds(240),
            Duration.ofMinutes(5),
            Duration.ofMinutes(5));
  }

  @Test
  void theRowDecaysByOnePerBaseTimeInService() {
    for (int i = 0; i < 3; i++) { // rows 1, 2, 3: 30s, 60s, 120s
      fail5xx("s1", 5, 503);
      scheduler.advance(
          Duration.between(clock.instant(), pool.snapshot().member("s1").ejection().until()));
    }
    scheduler.advance(
        BASE.multipliedBy(2).minusMillis(1)); // in service for less than two base times
    fail5xx("s1", 5, 503);
    Ejection e = pool.snapshot().member("s1").ejection();
    assertThat(e.count()).as("row 3 decayed by one to 2, then this ejection: 3").isEqualTo(3);
    assertThat(Duration.between(clock.instant(), e.until())).isEqualTo(Duration.ofSeconds(120));
    scheduler.advance(Duration.ofSeconds(120));

    scheduler.advance(BASE.multipliedBy(3)); // three base times in service: back to a fresh start
    fail5xx("s1", 5, 503);
    e = pool.snapshot().member("s1").ejection();
    assertThat(e.count()).isEqualTo(1);
    assertThat(Duration.between(clock.instant(), e.until())).isEqualTo(BASE);
  }

  @Test
  void neverEjectsMoreThanTheShareRoundedDownButAtLeastOne() {
    fail5xx("s1", 5, 503);
    fail5xx("s2", 5, 503);
    fail5xx("s3", 5, 503);
    // 50% of 4 servers = 2
    assertThat(pool.snapshot().ejectedCount()).isEqualTo(2);
    assertThat(ejected("s3")).isFalse();
    // s3's run started over; once s1 returns, s3 can be ejected by a new run
    scheduler.advance(BASE);
    d.responded("s3", 503);
    assertThat(ejected("s3")).as("the refused run does not carry over").isFalse();
    fail5xx("s3", 4, 503);
    assertThat(ejected("s3")).isTrue();

    Pool three = pool(3);
    OutlierDetector d3 = detector(three, OutlierConfig.DEFAULTS);
    for (String s : List.of("s1", "s2")) {
      for (int i = 0; i < 5; i++) {
        d3.responded(s, 503);
      }
    }
    assertThat(three.snapshot().ejectedCount()).as("floor(3 x 50%) = 1").isEqualTo(1);

    Pool one = pool(1);
    OutlierDetector d1 = detector(one, new OutlierConfig(3, 5, 3, BASE, BASE, 10));
    for (int i = 0; i < 5; i++) {
      d1.responded("s1", 503);
    }
    assertThat(one.snapshot().ejectedCount())
        .as("floor(1 x 10%) = 0, but at least one")
        .isEqualTo(1);
  }

  @Test
  void aPassingActiveCheckReturnsAtOnceAndAFailingOneDoesNot() {
    fail5xx("s1", 5, 503);
    d.probed("s1", false);
    assertThat(ejected("s1")).isTrue();
    d.probed("s1", true);
    assertThat(ejected("s1")).isFalse();
    assertThat(scheduler.pending()).as("the timed return is cancelled").isZero();
    assertThat(
            registry
                .find("tether.outlier.returns")
                .tags("server", "s1", "cause", "active-check")
                .counter()
                .count())
        .isEqualTo(1);
    d.probed("s2", true); // not ejected: nothing happens
    assertThat(ejected("s2")).isFalse();
  }

  @Test
  void failuresReportedWhileEjectedDoNotExtendTheEjection() {
    fail5xx("s1", 5, 503);
    Ejection first = pool.snapshot().member("s1").ejection();
    fail5xx("s1", 20, 503); // requests that were in flight when it was ejected
    assertThat(pool.snapshot().member("s1").ejection()).isSameAs(first);
  }

  @Test
  void panicEntersAndLeavesAndPicksOverAllServers() {
    Pool p = pool(4);
    p.setPanicThreshold(75);
    OutlierDetector dp = detector(p, new OutlierConfig(3, 1, 3, BASE, Duration.ofMinutes(5), 100));
    dp.responded("s1", 503);
    // 3 of 4 healthy = 75%: not below
    assertThat(p.snapshot().panic()).isFalse();
    assertThat(picks(p)).containsExactlyInAnyOrder("s2", "s3", "s4");
    dp.responded("s2", 503);
    assertThat(p.snapshot().panic()).isTrue();
    assertThat(picks(p))
        .as("in panic every server takes work, ejected or not")
        .containsExactlyInAnyOrder("s1", "s2", "s3", "s4");
    scheduler.advance(BASE);
    assertThat(p.snapshot().panic()).isFalse();
    assertThat(picks(p)).containsExactlyInAnyOrder("s1", "s2", "s3", "s4");
    assertThat(p.snapshot().ejectedCount()).isZero();
  }

  @Test
  void closeReturnsItsEjectionsAndStopsEjecting() {
    fail5xx("s1", 5, 503);
    d.close();
    assertThat(ejected("s1")).isFalse();
    assertThat(scheduler.pending()).isZero();
    fail5xx("s2", 5, 503);
    assertThat(ejected("s2")).isFalse();
  }

  @Test
  void followsServerChanges() {
    fail5xx("s1", 5, 503);
    List<Server> servers =
        new ArrayList<>(pool.snapshot().members().stream().map(Member::server).toList());
    servers.removeIf(s -> s.name().equals("s1"));
    servers.add(new Server("s5", "127.0.0.1", 9005, 1));
    pool.setServers(servers);
    d.serversChanged();
    assertThat(scheduler.pending()).as("the removed server's return is cancelled").isZero();
    fail5xx("s5", 5, 503);
    assertThat(ejected("s5")).isTrue();
    d.responded("nope", 503); // an unknown server is ignored
  }

  @Test
  void staticHooksIgnoreAnUpstreamWithoutDetection() {
    OutlierDetector.responded(null, pool.snapshot().member("s1"), 503);
    OutlierDetector.connectFailed(null, null);
    OutlierDetector.timedOut(null, null);
    assertThat(pool.snapshot().ejectedCount()).isZero();
  }

  private static Set<String> picks(Pool p) {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      out.add(p.snapshot().picker().pick(dev.tether.balance.PickRequest.EMPTY).name());
    }
    return out;
  }
}
