package dev.tether.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** Ejection as a flag next to the state, and panic mode, as every algorithm sees them. */
class PoolEjectionAndPanicTest {

  private static final Ejection EJECTION =
      new Ejection(Instant.parse("2026-01-01T00:00:30Z"), "5 consecutive 5xx", 1);
  private static final PickRequest REQUEST = Fixtures.Request.ip("10.0.0.1");

  private static Pool pool(String algorithm, int servers) {
    List<Server> list = new ArrayList<>();
    for (int i = 1; i <= servers; i++) {
      list.add(new Server("s" + i, "127.0.0.1", 9000 + i, 1));
    }
    BalancerProvider provider = Balancers.find(algorithm).orElseThrow();
    // hash algorithms that need a key name get one; the others take no options
    Map<String, String> options =
        provider.validate(Map.of()).isEmpty() ? Map.of() : Map.of("hash-name", "X-User");
    return new Pool("web", list, provider, options, Fixtures.env(7));
  }

  @Test
  void anEjectedServerTakesNoNewWorkInAnyAlgorithmAndKeepsItsState() {
    for (String algorithm : Balancers.all().keySet()) {
      Pool p = pool(algorithm, 3);
      p.eject("s2", EJECTION);
      Member m = p.snapshot().member("s2");
      assertThat(m.state()).as(algorithm).isEqualTo(ServerState.UP);
      assertThat(m.ejection()).isEqualTo(EJECTION);
      assertThat(m.acceptsNew()).isFalse();
      assertThat(m.acceptsBound()).isFalse();
      assertThat(p.snapshot().ejectedCount()).isEqualTo(1);
      for (int i = 0; i < 300; i++) {
        assertThat(p.snapshot().picker().pick(REQUEST).name()).as(algorithm).isNotEqualTo("s2");
      }
      assertThat(p.restore("s2")).isEqualTo(EJECTION);
      assertThat(p.restore("s2")).as("a second restore finds nothing").isNull();
      assertThat(p.snapshot().member("s2").acceptsNew()).isTrue();
    }
  }

  @Test
  void ejectionSurvivesAReloadThatKeepsTheServerAndDiesWithIt() {
    Pool p = pool("round-robin", 3);
    p.eject("s1", EJECTION);
    List<Server> servers = p.snapshot().members().stream().map(Member::server).toList();
    p.setServers(servers);
    assertThat(p.snapshot().member("s1").ejected()).isTrue();
    p.setServers(servers.subList(1, 3));
    p.setServers(servers);
    assertThat(p.snapshot().member("s1").ejected())
        .as("a server removed and re-added starts clean")
        .isFalse();
    assertThatThrownBy(() -> p.eject("nope", EJECTION)).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void drainingAndEjectedTakesNoBoundWork() {
    Pool p = pool("round-robin", 2);
    p.setState("s1", ServerState.DRAINING);
    assertThat(p.snapshot().member("s1").acceptsBound()).isTrue();
    p.eject("s1", EJECTION);
    assertThat(p.snapshot().member("s1").acceptsBound()).isFalse();
  }

  @Test
  void panicStartsBelowTheThresholdAndPicksOverAllServersInRotation() {
    Pool p = pool("round-robin", 4);
    List<Boolean> changes = new ArrayList<>();
    p.onPanicChange(s -> changes.add(s.panic()));
    p.setPanicThreshold(50);
    p.setState("s1", ServerState.DOWN);
    p.eject("s2", EJECTION);
    // 2 of 4 healthy = 50%: not below the threshold
    assertThat(p.snapshot().panic()).isFalse();
    assertThat(names(p, 100)).containsExactlyInAnyOrder("s3", "s4");

    p.eject("s3", EJECTION);
    // 1 of 4 healthy = 25% < 50%: panic, and the DOWN and ejected servers take work again
    assertThat(p.snapshot().panic()).isTrue();
    assertThat(names(p, 100)).containsExactlyInAnyOrder("s1", "s2", "s3", "s4");
    assertThat(p.snapshot().member("s2").acceptsBound()).isTrue();

    p.restore("s3");
    assertThat(p.snapshot().panic()).isFalse();
    assertThat(names(p, 100)).containsExactlyInAnyOrder("s3", "s4");
    assertThat(changes).containsExactly(true, false);
  }

  @Test
  void panicKeepsOperatorStatesAndCountsOnlyServersInRotation() {
    Pool p = pool("round-robin", 4);
    p.setPanicThreshold(50);
    p.setState("s1", ServerState.DISABLED);
    p.setState("s2", ServerState.DRAINING);
    // the operator took two out: 2 in rotation, both healthy
    assertThat(p.snapshot().panic()).isFalse();
    p.setState("s3", ServerState.DOWN);
    // 1 of 2 in rotation healthy = 50%: not below
    assertThat(p.snapshot().panic()).isFalse();
    p.eject("s4", EJECTION);
    assertThat(p.snapshot().panic()).isTrue();
    assertThat(names(p, 100))
        .as("DISABLED and DRAINING take no new work even in panic")
        .containsExactlyInAnyOrder("s3", "s4");
    assertThat(p.snapshot().member("s1").acceptsBound()).isFalse();
    assertThat(p.snapshot().member("s2").acceptsBound()).isTrue();
  }

  @Test
  void thresholdZeroIsOffAndAPoolWithEveryServerDownAnswersNothing() {
    Pool p = pool("least-connections", 2);
    p.setState("s1", ServerState.DOWN);
    p.setState("s2", ServerState.DOWN);
    assertThat(p.snapshot().panic()).isFalse();
    assertThat(p.snapshot().picker().pick(REQUEST)).isNull();
    p.setPanicThreshold(100);
    assertThat(p.snapshot().panic()).isTrue();
    assertThat(p.snapshot().picker().pick(REQUEST)).isNotNull();
    p.setPanicThreshold(0);
    assertThat(p.snapshot().picker().pick(REQUEST)).isNull();
    assertThatThrownBy(() -> p.setPanicThreshold(101))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0..100%");
  }

  @Test
  void thresholdHundredPanicsAsSoonAsOneServerIsUnhealthy() {
    Pool p = pool("random", 3);
    p.setPanicThreshold(100);
    assertThat(p.snapshot().panic()).isFalse();
    p.eject("s1", EJECTION);
    assertThat(p.snapshot().panic()).isTrue();
  }

  private static java.util.Set<String> names(Pool p, int picks) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (int i = 0; i < picks; i++) {
      out.add(p.snapshot().picker().pick(REQUEST).name());
    }
    return out;
  }
}
