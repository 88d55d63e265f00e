package dev.tether.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.ServerState;
import dev.tether.balance.WeightOverride;
import org.junit.jupiter.api.Test;

/**
 * The per-server state machine of health and agent, without sockets or time: probe results go in,
 * the pool state to set comes out, and the test plays the pool (it applies what it is told).
 */
class CheckStateTest {

  private final CheckState check = new CheckState(true, 2, 2);
  private ServerState pool = ServerState.UP;

  private static HealthProbe.Result pass(String state, String weight) {
    return new HealthProbe.Result(true, "HTTP 200", AgentReport.parse(state, weight));
  }

  private static HealthProbe.Result failNoAnswer() {
    return HealthProbe.Result.fail("ConnectException: Connection refused");
  }

  /** One probe; applies the target like the checker does and returns the step. */
  private CheckState.Step probe(HealthProbe.Result r) {
    CheckState.Step step = check.record(r, pool);
    if (step.target() != null) {
      pool = step.target();
      check.applied(pool);
    }
    return step;
  }

  private void operator(ServerState to) {
    pool = to;
    check.operatorSet();
  }

  @Test
  void drainDrainsAndReadyReturnsAtOnceWithoutWaitingForRise() {
    assertThat(probe(pass(null, null)).target()).isNull();
    CheckState.Step drain = probe(pass("drain", null));
    assertThat(drain.target()).isEqualTo(ServerState.DRAINING);
    assertThat(drain.agentChanged()).isTrue();
    assertThat(probe(pass("drain", null)).agentChanged()).as("only a change is a change").isFalse();
    assertThat(pool).isEqualTo(ServerState.DRAINING);
    assertThat(probe(pass("ready", null)).target()).isEqualTo(ServerState.UP);
  }

  @Test
  void downIsDownAlthoughTheProbePassesAndAMissingHeaderMeansReady() {
    assertThat(probe(pass("DOWN", null)).target())
        .as("case-insensitive")
        .isEqualTo(ServerState.DOWN);
    assertThat(check.up()).as("health itself is fine").isTrue();
    assertThat(probe(pass(null, null)).target()).isEqualTo(ServerState.UP);
  }

  @Test
  void aProbeWithoutAnswerKeepsTheLastAgentAnswerAndFailingHealthOutranksIt() {
    probe(pass("drain", null));
    assertThat(pool).isEqualTo(ServerState.DRAINING);
    assertThat(probe(failNoAnswer()).target()).as("fall is 2").isNull();
    assertThat(probe(failNoAnswer()).target()).isEqualTo(ServerState.DOWN);
    assertThat(check.agent()).isEqualTo(AgentState.DRAIN);
    probe(pass("drain", null));
    CheckState.Step back = probe(pass("drain", null));
    assertThat(back.health()).isEqualTo(ServerHealth.Change.WENT_UP);
    assertThat(back.target())
        .as("healthy again, and still asking to drain")
        .isEqualTo(ServerState.DRAINING);
  }

  @Test
  void readyNeverUndoesAnOperatorsDrainOrDisable() {
    operator(ServerState.DRAINING);
    assertThat(probe(pass("ready", null)).target()).isNull();
    assertThat(probe(pass("down", null)).target()).isNull();
    assertThat(probe(failNoAnswer()).target()).isNull();
    assertThat(probe(failNoAnswer()).target())
        .as("an operator's drain is kept even when unhealthy")
        .isNull();
    assertThat(check.up()).isFalse();

    operator(ServerState.DISABLED);
    probe(pass("ready", null));
    assertThat(probe(pass("ready", null)).target()).isNull();
    assertThat(pool).isEqualTo(ServerState.DISABLED);
  }

  @Test
  void anOperatorsDrainOfAnAgentDrainedServerBecomesTheOperators() {
    probe(pass("drain", null));
    assertThat(check.ownsDrain()).isTrue();
    operator(ServerState.DRAINING);
    assertThat(check.ownsDrain()).isFalse();
    assertThat(probe(pass("ready", null)).target()).as("the drain is the operator's now").isNull();
  }

  @Test
  void anOperatorsEnableSetsTheAgentAnswerInForceAsideUntilItChanges() {
    probe(pass("drain", null));
    operator(ServerState.UP);
    assertThat(check.agentSetAside()).isTrue();
    assertThat(probe(pass("drain", null)).target()).isNull();
    assertThat(pool).isEqualTo(ServerState.UP);
    probe(pass("ready", null));
    assertThat(check.agentSetAside()).isFalse();
    assertThat(probe(pass("drain", null)).target())
        .as("a new answer counts")
        .isEqualTo(ServerState.DRAINING);
  }

  @Test
  void weightChangesAreReportedOnceAndABadValueCountsAsAbsentAndIsReportedOnce() {
    CheckState.Step half = probe(pass(null, "50%"));
    assertThat(half.weightChanged()).isTrue();
    assertThat(check.weight()).isEqualTo(new WeightOverride(50, true));
    assertThat(probe(pass(null, "50%")).weightChanged()).isFalse();

    CheckState.Step bad = probe(pass(null, "half"));
    assertThat(bad.weightChanged()).as("ignored, so back to the configured weight").isTrue();
    assertThat(check.weight()).isNull();
    assertThat(bad.newlyIgnored()).contains("Tether-Weight: 'half'");
    assertThat(probe(pass(null, "half")).newlyIgnored()).as("logged once").isNull();
    assertThat(check.ignored()).contains("'half'");
    assertThat(probe(pass("sleepy", null)).newlyIgnored())
        .as("a different bad value is new")
        .contains("Tether-State: 'sleepy'");
    assertThat(pool).isEqualTo(ServerState.UP);
    probe(pass(null, null));
    assertThat(check.ignored()).isNull();
    assertThat(probe(pass(null, "half")).newlyIgnored())
        .as("bad again after a good answer")
        .isNotNull();
  }

  @Test
  void aReloadContinuesWithTheDrainItOwnsAndDropsAgentRequestsWhenHeadersAreOff() {
    probe(pass("drain", "25%"));
    CheckState kept = CheckState.continuing(check, 1, 1, true);
    assertThat(kept.target(ServerState.UP))
        .as("a rebuilt pool gets the drain back")
        .isEqualTo(ServerState.DRAINING);
    assertThat(kept.weight()).isEqualTo(new WeightOverride(25, true));

    CheckState off = CheckState.continuing(check, 1, 1, false);
    assertThat(off.weight()).isNull();
    assertThat(off.target(ServerState.DRAINING))
        .as("its own drain is undone")
        .isEqualTo(ServerState.UP);
  }
}
