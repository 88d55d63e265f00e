package dev.tether.proxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.balance.ServerState;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.config.ServerInput;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.outlier.Scheduler;
import dev.tether.testing.time.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runtime changes against a fake balancer: one install per change, drain-then-remove driven by a
 * settable clock (no sockets, no sleeping), and the effective YAML read back by the config reader.
 */
class RuntimeChangesTest {

  private static final Map<String, String> ENV =
      Map.of(
          "ADMIN_TOKEN",
          "0123456789abcdef0123",
          "COOKIE_KEY",
          "c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXktMTIzNDU2");

  static final String YAML =
      """
      # the team's balancer
      listen: 127.0.0.1:0
      admin:
        listen: 127.0.0.1:0
        token-env: ADMIN_TOKEN
      pools:
        web:
          affinity:
            mode: cookie
            keys:
              - { id: k1, secret-env: COOKIE_KEY }
          servers:
            - { name: s1, address: 127.0.0.1:9001 }   # the old box
            - { name: s2, address: 127.0.0.1:9002, weight: 2 }
            - name: s3
              address: 127.0.0.1:9003
      routes:
        - { path-prefix: /, pool: web }
      """;

  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-03T06:01:02Z"));
  private final List<TetherConfig> installs = new ArrayList<>();
  private final Map<String, Pool> pools = new HashMap<>();
  private final List<Runnable> scheduled = new ArrayList<>();
  private final Scheduler scheduler =
      (task, delay) -> {
        scheduled.add(task);
        return () -> scheduled.remove(task);
      };

  static TetherConfig parse(String yaml) {
    try {
      return ConfigLoader.parse(yaml, "tether.yaml", ENV::get);
    } catch (Exception e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private RuntimeChanges start(TetherConfig file) {
    for (PoolConfig pc : file.pools().values()) {
      pools.put(
          pc.name(),
          new Pool(
              pc.name(),
              servers(pc),
              Balancers.find("round-robin").orElseThrow(),
              Map.of(),
              BalanceEnv.SYSTEM));
    }
    return new RuntimeChanges(
        file,
        new RuntimeChanges.Target() {
          @Override
          public void install(TetherConfig effective) {
            installs.add(effective);
            for (PoolConfig pc : effective.pools().values()) {
              pools.get(pc.name()).setServers(servers(pc));
            }
          }

          @Override
          public Pool pool(String name) {
            return pools.get(name);
          }

          @Override
          public AffinityPolicy affinity(String name) {
            return null;
          }
        },
        clock,
        scheduler);
  }

  private static List<Server> servers(PoolConfig pc) {
    return pc.servers().stream()
        .map(
            s ->
                new Server(s.name(), s.address().host(), s.address().port(), s.weight(), s.route()))
        .toList();
  }

  private List<String> names() {
    return pools.get("web").snapshot().members().stream().map(m -> m.name()).toList();
  }

  @Test
  void eachChangeInstallsOnceAndRefusesClashes() {
    RuntimeChanges rc = start(parse(YAML));
    rc.add("web", ServerInput.server("s4", "127.0.0.1:9004", 3));
    assertThat(installs).hasSize(1);
    assertThat(names()).containsExactly("s1", "s2", "s3", "s4");
    assertThatThrownBy(() -> rc.add("web", ServerInput.server("s4", "127.0.0.1:9005", 1)))
        .isInstanceOfSatisfying(
            RuntimeChanges.RefusedException.class,
            e -> assertThat(e.refusal()).isEqualTo(RuntimeChanges.Refusal.CONFLICT))
        .hasMessageContaining("already has a server named 's4'");
    assertThatThrownBy(() -> rc.add("web", ServerInput.server("s5", "127.0.0.1:9001", 1)))
        .hasMessageContaining("s1 already has address");
    assertThatThrownBy(() -> rc.add("nope", ServerInput.server("s5", "127.0.0.1:9009", 1)))
        .isInstanceOfSatisfying(
            RuntimeChanges.RefusedException.class,
            e -> assertThat(e.refusal()).isEqualTo(RuntimeChanges.Refusal.NOT_FOUND));
    assertThat(rc.weight("web", "s2", 9)).isEqualTo(2);
    assertThat(pools.get("web").snapshot().member("s2").weight()).isEqualTo(9);
    assertThat(installs).hasSize(2);
    assertThatThrownBy(() -> rc.weight("web", "zz", 1)).hasMessageContaining("no server 'zz'");
  }

  @Test
  void removalDrainsUntilIdleThenRemoves() {
    RuntimeChanges rc = start(parse(YAML));
    pools.get("web").snapshot().member("s2").load().start();
    RuntimeChanges.Removal r = rc.remove("web", "s2", false, Duration.ofMinutes(1));
    assertThat(r.removed()).isFalse();
    assertThat(r.deadline()).isEqualTo(clock.instant().plusSeconds(60));
    assertThat(pools.get("web").snapshot().member("s2").state()).isEqualTo(ServerState.DRAINING);
    assertThat(installs).isEmpty();
    assertThat(scheduled).hasSize(1);
    scheduled.clear();
    rc.sweep();
    assertThat(names()).as("a request is in flight").contains("s2");
    pools.get("web").snapshot().member("s2").load().finish(1_000, System.nanoTime());
    scheduled.clear();
    rc.sweep();
    assertThat(names()).containsExactly("s1", "s3");
    assertThat(rc.pending()).isEmpty();
    assertThat(scheduled).as("nothing left to check").isEmpty();
    assertThat(rc.overlay().changes("web").removed()).containsKey("s2");
  }

  @Test
  void removalHappensAtTheDeadlineEvenWithWorkInFlight() {
    RuntimeChanges rc = start(parse(YAML));
    pools.get("web").snapshot().member("s1").load().start();
    rc.remove("web", "s1", false, Duration.ofSeconds(30));
    clock.advance(Duration.ofSeconds(29));
    rc.sweep();
    assertThat(names()).contains("s1");
    clock.advance(Duration.ofSeconds(1));
    rc.sweep();
    assertThat(names()).containsExactly("s2", "s3");
  }

  @Test
  void withoutADeadlineTheRemovalWaitsForThePoolsDrainDeadlineElseTenMinutes() {
    RuntimeChanges rc =
        start(
            parse(
                YAML.replace(
                    "    servers:\n      - { name: s1",
                    "    drain: { deadline: 3m }\n    servers:\n      - { name: s1")));
    assertThat(rc.remove("web", "s1", false, null).deadline())
        .isEqualTo(clock.instant().plus(Duration.ofMinutes(3)));
    RuntimeChanges plain = start(parse(YAML));
    assertThat(plain.remove("web", "s2", false, null).deadline())
        .isEqualTo(clock.instant().plus(RuntimeChanges.DEFAULT_DEADLINE));
  }

  @Test
  void enablingADrainingServerCallsOffItsRemoval() {
    RuntimeChanges rc = start(parse(YAML));
    pools.get("web").snapshot().member("s1").load().start();
    rc.remove("web", "s1", false, Duration.ofSeconds(30));
    pools.get("web").setState("s1", ServerState.UP);
    clock.advance(Duration.ofMinutes(5));
    rc.sweep();
    assertThat(names()).contains("s1");
    assertThat(rc.pending()).isEmpty();
  }

  @Test
  void removeNowIsImmediateAndTheLastServerStays() {
    RuntimeChanges rc = start(parse(YAML));
    assertThat(rc.remove("web", "s1", true, Duration.ZERO).removed()).isTrue();
    rc.remove("web", "s2", true, Duration.ZERO);
    assertThat(names()).containsExactly("s3");
    assertThatThrownBy(() -> rc.remove("web", "s3", true, Duration.ZERO))
        .isInstanceOfSatisfying(
            RuntimeChanges.RefusedException.class,
            e -> assertThat(e.refusal()).isEqualTo(RuntimeChanges.Refusal.CONFLICT))
        .hasMessageContaining("last of pool web");
  }

  @Test
  void reloadKeepsWhatTheFileDoesNotContradict() {
    RuntimeChanges rc = start(parse(YAML));
    rc.add("web", ServerInput.server("s4", "127.0.0.1:9004", 1));
    rc.weight("web", "s1", 5);
    rc.reload(parse(YAML.replace("weight: 2", "weight: 4")));
    assertThat(names()).containsExactly("s1", "s2", "s3", "s4");
    assertThat(pools.get("web").snapshot().member("s1").weight()).isEqualTo(5);
    assertThat(pools.get("web").snapshot().member("s2").weight()).isEqualTo(4);
    rc.reload(
        parse(
            YAML.replace("address: 127.0.0.1:9001 }", "address: 127.0.0.1:9001, weight: 3 }")
                .replace("name: s3", "name: s4")));
    assertThat(names()).containsExactly("s1", "s2", "s4");
    assertThat(pools.get("web").snapshot().member("s1").weight()).isEqualTo(3);
    assertThat(pools.get("web").snapshot().member("s4").server().port()).isEqualTo(9003);
    assertThat(rc.overlay().isEmpty()).isTrue();
  }

  @Test
  void theEffectiveYamlMarksEveryChangeHidesSecretsAndReadsBack() {
    RuntimeChanges rc = start(parse(YAML));
    rc.add("web", ServerInput.server("s4", "127.0.0.1:9004", 3));
    clock.advance(Duration.ofSeconds(10));
    rc.weight("web", "s2", 7);
    rc.weight("web", "s3", 4);
    rc.remove("web", "s2", true, Duration.ZERO);
    rc.remove("web", "s1", false, Duration.ofMinutes(10));
    String yaml = rc.yaml();
    assertThat(yaml)
        .contains(
            "# runtime: added 2026-12-03T06:01:02Z",
            "# runtime: weight 4 set 2026-12-03T06:01:12Z (the file had 1)",
            "# runtime: removed 2026-12-03T06:01:12Z: { name: s2, address: 127.0.0.1:9002, weight: 2 }",
            "# runtime: draining since 2026-12-03T06:01:12Z, to be removed once idle or at 2026-12-03T06:11:12Z",
            "token-env: ADMIN_TOKEN",
            "secret-env: COOKIE_KEY",
            "# the team's balancer",
            "# the old box");
    assertThat(yaml).doesNotContain("0123456789abcdef0123", "c2VjcmV0");
    TetherConfig back = parse(yaml);
    assertThat(back.pools().get("web").servers())
        .isEqualTo(rc.effective().pools().get("web").servers());
    assertThat(back.pools().get("web").affinity())
        .isEqualTo(rc.effective().pools().get("web").affinity());
    assertThat(back.admin()).isEqualTo(rc.effective().admin());
  }

  @Test
  void inlineSecretsAreRedacted() {
    String inline =
        YAML.replace("token-env: ADMIN_TOKEN", "token: 0123456789abcdef-inline")
            .replace(
                "secret-env: COOKIE_KEY",
                "secret: c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXktMTIzNDU2");
    RuntimeChanges rc = start(parse(inline));
    String yaml = rc.yaml();
    assertThat(yaml)
        .doesNotContain("0123456789abcdef-inline", "c2VjcmV0")
        .contains("token: <redacted>", "secret: <redacted>");
    assertThatThrownBy(() -> parse(yaml))
        .as("a redacted secret must be put back before the file loads")
        .hasMessageContaining("admin.token");
  }
}
