package dev.tether.bench.load.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChaosScheduleTest {

  @Test
  void aScheduleParsesInTimeOrder() {
    List<ChaosAction> a =
        ChaosSchedule.parse(
            "at=30s start s2; at=10s kill s2;at=20s drain s3 ; at=40s add s4; at=1.5m add s5=127.0.0.1:9005; at=500ms kill-serving; at=95s start-killed");
    assertThat(a)
        .extracting(ChaosAction::toString)
        .containsExactly(
            "at=500ms kill-serving",
            "at=10s kill s2",
            "at=20s drain s3",
            "at=30s start s2",
            "at=40s add s4",
            "at=90s add s5=127.0.0.1:9005",
            "at=95s start-killed");
    assertThat(a.get(5).at()).isEqualTo(Duration.ofSeconds(90));
    assertThat(a.get(5).address()).isEqualTo("127.0.0.1:9005");
    assertThat(ChaosSchedule.parse("  ")).isEmpty();
    assertThat(ChaosSchedule.parse(null)).isEmpty();
  }

  @Test
  void badActionsAreNamedWithWhatIsAllowed() {
    assertThatThrownBy(() -> ChaosSchedule.parse("at=10s kill s2; at=20s explode s3"))
        .hasMessage(
            "--chaos action 2 'at=20s explode s3': unknown action 'explode'; allowed: kill, kill-serving, start, start-killed, drain, enable, disable, add");
    assertThatThrownBy(() -> ChaosSchedule.parse("kill s2"))
        .hasMessage("--chaos action 1 'kill s2': must start with at=TIME, e.g. at=10s kill s2");
    assertThatThrownBy(() -> ChaosSchedule.parse("at=soon kill s2"))
        .hasMessage(
            "--chaos action 1 'at=soon kill s2': time 'soon' is not understood; allowed: e.g. 10s, 1500ms, 2m, 1.5s");
    assertThatThrownBy(() -> ChaosSchedule.parse("at=10s kill"))
        .hasMessage(
            "--chaos action 1 'at=10s kill': kill needs exactly one name, e.g. at=10s kill s2");
    assertThatThrownBy(() -> ChaosSchedule.parse("at=10s kill-serving s2"))
        .hasMessageContaining("kill-serving takes no name");
    assertThatThrownBy(() -> ChaosSchedule.parse("at=10s start-killed s2"))
        .hasMessageContaining("start-killed takes no name; it starts the instance killed last");
    assertThatThrownBy(() -> ChaosSchedule.parse("at=10s drain s2=1.2.3.4:5"))
        .hasMessageContaining("only add takes NAME=HOST:PORT");
    assertThatThrownBy(() -> ChaosSchedule.parse("at=10s add s4=nowhere"))
        .hasMessageContaining("'nowhere' is not HOST:PORT");
    assertThatThrownBy(() -> ChaosSchedule.parse("at=10s")).hasMessageContaining("names no action");
  }

  @Test
  void actionsMapToTheAdminApi() {
    List<ChaosAction> a =
        ChaosSchedule.parse(
            "at=1s kill s2; at=2s drain s3; at=3s add s4; at=4s add s5=127.0.0.1:9005; at=5s start s2");
    assertThat(AdminClient.callFor(a.get(0), "s2", "web"))
        .isEqualTo(new AdminClient.Call("/api/demo/instances/s2/kill", null));
    assertThat(AdminClient.callFor(a.get(1), "s3", "web"))
        .isEqualTo(new AdminClient.Call("/api/pools/web/servers/s3/drain", null));
    assertThat(AdminClient.callFor(a.get(2), "s4", "web"))
        .isEqualTo(new AdminClient.Call("/api/demo/instances", "{\"name\":\"s4\"}"));
    assertThat(AdminClient.callFor(a.get(3), "s5", "shop"))
        .isEqualTo(
            new AdminClient.Call(
                "/api/pools/shop/servers", "{\"name\":\"s5\",\"address\":\"127.0.0.1:9005\"}"));
    assertThat(AdminClient.callFor(a.get(4), "s2", "web"))
        .isEqualTo(new AdminClient.Call("/api/demo/instances/s2/start", null));
  }
}
