package dev.tether.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.WeightOverride;
import org.junit.jupiter.api.Test;

/** Parsing {@code Tether-State} and {@code Tether-Weight} values. */
class AgentReportTest {

  @Test
  void statesAreCaseInsensitiveAndTrimmed() {
    assertThat(AgentReport.parse(" Drain ", null).state()).isEqualTo(AgentState.DRAIN);
    assertThat(AgentReport.parse("down", null).state()).isEqualTo(AgentState.DOWN);
    assertThat(AgentReport.parse("READY", null)).isEqualTo(AgentReport.NONE);
    assertThat(AgentReport.parse(null, null)).isEqualTo(AgentReport.NONE);
  }

  @Test
  void weightsArePercentagesOrAbsolute() {
    assertThat(AgentReport.parse(null, "50%").weight()).isEqualTo(new WeightOverride(50, true));
    assertThat(AgentReport.parse(null, "0%").weight()).isEqualTo(new WeightOverride(0, true));
    assertThat(AgentReport.parse(null, "100%").weight()).isEqualTo(new WeightOverride(100, true));
    assertThat(AgentReport.parse(null, " 7 ").weight()).isEqualTo(new WeightOverride(7, false));
    assertThat(AgentReport.parse(null, "256").weight()).isEqualTo(new WeightOverride(256, false));
  }

  @Test
  void badValuesAreIgnoredAndSaySo() {
    AgentReport r = AgentReport.parse("maint", "150%");
    assertThat(r.state()).isEqualTo(AgentState.READY);
    assertThat(r.weight()).isNull();
    assertThat(r.ignored())
        .isEqualTo(
            "Tether-State: 'maint' is not drain, ready or down; "
                + "Tether-Weight: '150%' is not a percentage 0%..100% or a weight 0..256");
    for (String bad : new String[] {"257", "-1", "1.5", "50 %", "%", "", "ten"}) {
      assertThat(AgentReport.parse(null, bad).ignored()).as(bad).startsWith("Tether-Weight: '");
    }
    AgentReport drainWithBadWeight = AgentReport.parse("drain", "x");
    assertThat(drainWithBadWeight.state())
        .as("a good header still counts")
        .isEqualTo(AgentState.DRAIN);
    assertThat(AgentReport.parse("\u0001bad", null).ignored()).contains("'?bad'");
  }
}
