package dev.tether.proxy.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.PickRequest;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.balance.ServerState;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityRules;
import dev.tether.balance.affinity.DrainMode;
import dev.tether.balance.affinity.DrainRules;
import dev.tether.balance.affinity.policy.AffinityPolicies;
import dev.tether.proxy.config.DrainConfig;
import dev.tether.proxy.tunnel.TunnelRegistry;
import dev.tether.testing.time.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The drain state machine on a settable clock, socket-free: start, status and done; sessions that
 * idle out; in-flight requests; deadlines; a server drained by someone else; and the tunnel closing
 * schedule per mode and rate.
 */
class DrainServiceTest {

  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final BalanceEnv env =
      new BalanceEnv(
          () -> clock.instant().toEpochMilli() * 1_000_000L, () -> new SplittableRandom(7));
  private final Pool pool =
      new Pool(
          "web",
          List.of(new Server("s1", "127.0.0.1", 9001, 1), new Server("s2", "127.0.0.1", 9002, 1)),
          Balancers.find("round-robin").orElseThrow(),
          Map.of(),
          env);
  private final AffinityPolicy affinity =
      AffinityPolicies.keyed(
          "header",
          r -> r.header("x-user"),
          null,
          AffinityRules.DEFAULTS
              .withFirstRequestWindow(Duration.ZERO)
              .withSessionWindow(Duration.ofMinutes(1)),
          env);
  private final TunnelRegistry tunnels = new TunnelRegistry();
  private final AtomicReference<Runnable> scheduled = new AtomicReference<>();
  private final DrainService drains =
      new DrainService(
          clock,
          (task, delay) -> {
            scheduled.set(task);
            return () -> scheduled.set(null);
          });

  private void bind(DrainConfig config) {
    drains.bind(Map.of("web", new DrainService.PoolView(pool, config, affinity, tunnels)));
  }

  private static PickRequest user(String name) {
    return new PickRequest() {
      @Override
      public String header(String h) {
        return h.equals("x-user") ? name : null;
      }
    };
  }

  /** A user whose key hashes to {@code server}. */
  private String userOn(String server) {
    for (int i = 0; ; i++) {
      String u = "u" + i;
      if (affinity.decide(user(u), pool.snapshot(), null).member().name().equals(server)) {
        return u;
      }
    }
  }

  @Test
  void startMarksTheServerDrainingAndItIsDoneWhenNothingIsLeft() {
    bind(DrainConfig.DEFAULTS);
    assertThat(scheduled.get()).as("the timer runs").isNotNull();
    DrainStatus s = drains.start("web", "s1", null);
    assertThat(pool.snapshot().member("s1").state()).isEqualTo(ServerState.DRAINING);
    assertThat(s.since()).isEqualTo(clock.instant());
    assertThat(s.deadline()).isNull();
    assertThat(s.mode()).isEqualTo(DrainMode.SOFT);
    assertThat(s.done()).isTrue();
    assertThat(s.toJson())
        .containsEntry("done", true)
        .containsEntry("sessions", 0L)
        .containsEntry("inFlight", 0)
        .containsEntry("tunnels", 0)
        .containsEntry("mode", "soft")
        .containsEntry("deadline", null)
        .containsEntry("since", "2026-01-01T00:00:00Z")
        .containsEntry("state", "DRAINING");
  }

  @Test
  void liveSessionsAndInFlightRequestsHoldTheDrainUntilTheyEnd() {
    bind(DrainConfig.DEFAULTS);
    String alice = userOn("s1");
    drains.start("web", "s1", Duration.ofMinutes(10));
    assertThat(drains.status("web", "s1").sessions()).isEqualTo(1);
    assertThat(drains.status("web", "s1").done()).isFalse();

    clock.advance(Duration.ofSeconds(40));
    assertThat(affinity.decide(user(alice), pool.snapshot(), null).member().name())
        .as("soft keeps it")
        .isEqualTo("s1");
    pool.snapshot().member("s1").load().start();
    clock.advance(Duration.ofSeconds(61));
    DrainStatus idle = drains.status("web", "s1");
    assertThat(idle.sessions()).as("idled out").isZero();
    assertThat(idle.inFlight()).isEqualTo(1);
    assertThat(idle.done()).isFalse();
    pool.snapshot().member("s1").load().finish(1, 0);
    DrainStatus done = drains.status("web", "s1");
    assertThat(done.done()).isTrue();
    assertThat(done.since()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(done.deadline()).isEqualTo(Instant.parse("2026-01-01T00:10:00Z"));
    assertThat(done.overdue()).isFalse();
  }

  @Test
  void hardModeMovesTheSessionSoTheDrainEndsAtItsNextRequest() {
    bind(new DrainConfig(DrainMode.HARD, Duration.ofSeconds(30), 10, null));
    assertThat(affinity.drainRules())
        .isEqualTo(new DrainRules(DrainMode.HARD, Duration.ofSeconds(30)));
    String bob = userOn("s2");
    drains.start("web", "s2", null);
    assertThat(drains.status("web", "s2").sessions()).isEqualTo(1);
    assertThat(affinity.decide(user(bob), pool.snapshot(), null).member().name()).isEqualTo("s1");
    assertThat(drains.status("web", "s2").done()).isTrue();
  }

  @Test
  void aPassedDeadlineMakesAnUnfinishedDrainOverdueAndAStartAgainKeepsItsBeginning() {
    bind(new DrainConfig(DrainMode.SOFT, Duration.ofSeconds(30), 10, Duration.ofMinutes(5)));
    userOn("s1");
    Instant began = clock.instant();
    assertThat(drains.start("web", "s1", null).deadline())
        .as("the pool's default")
        .isEqualTo(began.plus(Duration.ofMinutes(5)));
    clock.advance(Duration.ofMinutes(1));
    DrainStatus again = drains.start("web", "s1", Duration.ofSeconds(30));
    assertThat(again.since()).isEqualTo(began);
    assertThat(again.deadline()).isEqualTo(clock.instant().plusSeconds(30));
    pool.snapshot().member("s1").load().start(); // a long request keeps the drain from finishing
    clock.advance(Duration.ofSeconds(29));
    assertThat(drains.status("web", "s1").overdue()).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(drains.status("web", "s1").overdue()).isTrue();
    assertThat(drains.status("web", "s1").toJson())
        .containsEntry("overdue", true)
        .containsEntry("done", false);
  }

  @Test
  void aServerDrainedElsewhereIsTrackedFromWhenItIsNoticedAndForgottenWhenItLeaves() {
    bind(new DrainConfig(DrainMode.SOFT, Duration.ofSeconds(30), 10, Duration.ofMinutes(2)));
    assertThat(drains.status("web", "s1").since()).isNull();
    pool.setState(
        "s1", ServerState.DRAINING); // e.g. the application asked through its health response
    clock.advance(Duration.ofSeconds(5));
    DrainStatus s = drains.status("web", "s1");
    assertThat(s.since()).isEqualTo(clock.instant());
    assertThat(s.deadline()).isEqualTo(clock.instant().plus(Duration.ofMinutes(2)));
    pool.setState("s1", ServerState.UP);
    drains.tick();
    assertThat(drains.status("web", "s1").since()).isNull();
    pool.setState("s1", ServerState.DRAINING);
    clock.advance(Duration.ofSeconds(5));
    assertThat(drains.status("web", "s1").since()).as("a new drain").isEqualTo(clock.instant());
  }

  @Test
  void unknownPoolsAndServersAreNamed() {
    bind(DrainConfig.DEFAULTS);
    assertThatThrownBy(() -> drains.status("shop", "s1"))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("no pool 'shop'; pools: [web]");
    assertThatThrownBy(() -> drains.start("web", "s9", null))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("pool web has no server 's9'");
  }

  /** A tunnel that records being asked to go away. */
  private static final class FakeTunnel implements TunnelRegistry.Entry {
    final String server;
    final boolean webSocket;
    boolean away;
    Runnable remove;

    FakeTunnel(String server, boolean webSocket) {
      this.server = server;
      this.webSocket = webSocket;
    }

    @Override
    public String server() {
      return server;
    }

    @Override
    public boolean webSocket() {
      return webSocket;
    }

    @Override
    public void goAway() {
      away = true;
      remove.run();
    }

    @Override
    public boolean goingAway() {
      return away;
    }

    @Override
    public void close() {
      goAway();
    }
  }

  private List<FakeTunnel> open(String server, boolean webSocket, int n) {
    List<FakeTunnel> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      FakeTunnel t = new FakeTunnel(server, webSocket);
      t.remove = tunnels.add(t);
      out.add(t);
    }
    return out;
  }

  /** Advances the clock one tick at a time, as the timer would, for {@code d}. */
  private void run(Duration d) {
    for (long t = 0; t < d.toMillis(); t += DrainService.TICK.toMillis()) {
      clock.advance(DrainService.TICK);
      drains.tick();
    }
  }

  @Test
  void hardModeClosesWebSocketsAtTheConfiguredRateAndLeavesOtherServersAlone() {
    bind(new DrainConfig(DrainMode.HARD, Duration.ofSeconds(30), 10, null));
    List<FakeTunnel> ws = open("s1", true, 25);
    List<FakeTunnel> other = open("s2", true, 3);
    drains.start("web", "s1", null);
    assertThat(drains.status("web", "s1").tunnels()).isEqualTo(25);
    run(Duration.ofSeconds(1));
    // 10 a second; one second at one per 100 ms tick
    assertThat(ws.stream().filter(t -> t.away).count()).isEqualTo(10);
    run(Duration.ofSeconds(1));
    assertThat(ws.stream().filter(t -> t.away).count()).isEqualTo(20);
    run(Duration.ofSeconds(1));
    assertThat(ws).allMatch(t -> t.away);
    assertThat(other).noneMatch(t -> t.away);
    assertThat(drains.status("web", "s1").tunnels()).isZero();
  }

  @Test
  void softModeKeepsTunnelsUntilTheDeadlineThenClosesOthersAtOnceAndWebSocketsAtTheRate() {
    bind(new DrainConfig(DrainMode.SOFT, Duration.ofSeconds(30), 20, null));
    List<FakeTunnel> ws = open("s1", true, 5);
    List<FakeTunnel> raw = open("s1", false, 3);
    drains.start("web", "s1", Duration.ofSeconds(10));
    run(Duration.ofSeconds(9));
    assertThat(ws).noneMatch(t -> t.away);
    assertThat(raw).noneMatch(t -> t.away);
    assertThat(drains.status("web", "s1").overdue()).isFalse();
    run(Duration.ofSeconds(1));
    assertThat(raw).as("closed at the deadline").allMatch(t -> t.away);
    assertThat(ws.stream().filter(t -> t.away).count()).as("20/s: two per tick").isEqualTo(2);
    run(Duration.ofMillis(200));
    assertThat(ws).allMatch(t -> t.away);
  }

  @Test
  void aClosedServiceStopsItsTimer() {
    bind(DrainConfig.DEFAULTS);
    Runnable tick = scheduled.get();
    drains.close();
    assertThat(scheduled.get()).isNull();
    tick.run();
    assertThat(scheduled.get()).as("not rescheduled").isNull();
  }
}
