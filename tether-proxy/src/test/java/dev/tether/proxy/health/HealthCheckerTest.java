package dev.tether.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.balance.ServerState;
import dev.tether.balance.WeightOverride;
import dev.tether.proxy.config.HealthConfig;
import dev.tether.proxy.config.StatusRanges;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The checker over a real {@link Pool}, driven result by result: its timer is set an hour out and
 * the first probe to the end of that hour, so no probe runs and the test alone decides what each
 * server answered. No sockets, no waiting.
 */
class HealthCheckerTest {

  private static final HealthConfig CONFIG =
      new HealthConfig(
          "/health",
          Duration.ofHours(1),
          Duration.ofSeconds(1),
          1,
          1,
          HealthConfig.Kind.HTTP,
          "GET",
          StatusRanges.DEFAULT,
          null,
          null,
          true);
  private static final HealthProbe NEVER =
      (address, timeout) -> {
        throw new AssertionError("the test drives every probe");
      };

  /** Puts every first probe at the end of the interval. */
  private static final RandomGenerator LAST =
      new RandomGenerator() {
        @Override
        public long nextLong() {
          return 0;
        }

        @Override
        public long nextLong(long bound) {
          return bound - 1;
        }
      };

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Pool pool = pool("weighted-round-robin");

  private static Pool pool(String algorithm) {
    return new Pool(
        "web",
        List.of(new Server("s1", "127.0.0.1", 9001, 4), new Server("s2", "127.0.0.1", 9002, 4)),
        Balancers.find(algorithm).orElseThrow(),
        Map.of(),
        BalanceEnv.SYSTEM);
  }

  private HealthChecker start(Pool p, HealthConfig config, HealthChecker previous) {
    return HealthChecker.start(
        p,
        Map.of(
            "s1",
            new InetSocketAddress("127.0.0.1", 9001),
            "s2",
            new InetSocketAddress("127.0.0.1", 9002)),
        config,
        NEVER,
        timer,
        LAST,
        previous);
  }

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private static HealthProbe.Result answer(boolean passed, String state, String weight) {
    return new HealthProbe.Result(
        passed, passed ? "HTTP 200" : "HTTP 503", AgentReport.parse(state, weight));
  }

  private ServerState state(Pool p, String s) {
    return p.snapshot().member(s).state();
  }

  @Test
  void agentAnswersMoveThePoolAndItsWeights() {
    HealthChecker checks = start(pool, CONFIG, null);
    checks.probed("s1", answer(true, "drain", "25%"));
    assertThat(state(pool, "s1")).isEqualTo(ServerState.DRAINING);
    assertThat(pool.snapshot().member("s1").weight()).isEqualTo(1);
    assertThat(checks.agentJson("s1"))
        .containsEntry("state", "drain")
        .containsEntry("weight", "25%")
        .containsEntry("configuredWeight", 4)
        .containsEntry("setAside", false)
        .containsEntry("ignored", null);

    checks.probed("s1", answer(true, "ready", null));
    assertThat(state(pool, "s1")).isEqualTo(ServerState.UP);
    assertThat(pool.snapshot().member("s1").weight()).isEqualTo(4);

    checks.probed("s2", answer(false, "drain", null));
    assertThat(state(pool, "s2"))
        .as("failing health outranks the drain")
        .isEqualTo(ServerState.DOWN);
    checks.probed("s2", answer(true, "drain", null));
    assertThat(state(pool, "s2")).isEqualTo(ServerState.DRAINING);
    checks.close();
  }

  @Test
  void operatorActionsGoThroughTheCheckerAndOutrankTheAgent() {
    HealthChecker checks = start(pool, CONFIG, null);
    checks.probed("s1", answer(true, "drain", null));
    assertThat(checks.operatorSet("s1", ServerState.UP)).isEqualTo(ServerState.DRAINING);
    checks.probed("s1", answer(true, "drain", null));
    assertThat(state(pool, "s1")).isEqualTo(ServerState.UP);
    assertThat(checks.agentJson("s1")).containsEntry("setAside", true);

    checks.operatorSet("s2", ServerState.DRAINING);
    checks.probed("s2", answer(true, "ready", null));
    assertThat(state(pool, "s2")).isEqualTo(ServerState.DRAINING);
    checks.close();
  }

  @Test
  void aReloadCarriesTheAgentsRequestsIntoARebuiltPoolAndDropsThemWhenHeadersGoOff() {
    HealthChecker first = start(pool, CONFIG, null);
    first.probed("s1", answer(true, "drain", "50%"));
    first.probed("s2", answer(false, null, null));
    first.close();

    Pool rebuilt = pool("least-connections");
    HealthChecker second = start(rebuilt, CONFIG, first);
    assertThat(state(rebuilt, "s1")).isEqualTo(ServerState.DRAINING);
    assertThat(rebuilt.weightOverride("s1")).isEqualTo(new WeightOverride(50, true));
    assertThat(state(rebuilt, "s2")).isEqualTo(ServerState.DOWN);
    second.close();

    HealthConfig noAgent =
        new HealthConfig(
            "/health",
            Duration.ofHours(1),
            Duration.ofSeconds(1),
            1,
            1,
            HealthConfig.Kind.HTTP,
            "GET",
            StatusRanges.DEFAULT,
            null,
            null,
            false);
    HealthChecker third = start(rebuilt, noAgent, second);
    assertThat(state(rebuilt, "s1")).as("the agent's drain is lifted").isEqualTo(ServerState.UP);
    assertThat(rebuilt.weightOverride("s1")).isNull();
    assertThat(state(rebuilt, "s2")).as("health is still known").isEqualTo(ServerState.DOWN);
    assertThat(third.agentJson("s1")).as("no agent headers read").isNull();
    third.close();
  }

  @Test
  void checksThatGoAwayReleaseTheAgentsDrainAndWeightsButNotAnOperatorsDrain() {
    HealthChecker checks = start(pool, CONFIG, null);
    checks.probed("s1", answer(true, "drain", "50%"));
    checks.operatorSet("s2", ServerState.DRAINING);
    checks.close();
    checks.releaseAgent();
    assertThat(state(pool, "s1")).isEqualTo(ServerState.UP);
    assertThat(pool.snapshot().member("s1").weight()).isEqualTo(4);
    assertThat(state(pool, "s2")).isEqualTo(ServerState.DRAINING);
  }
}
