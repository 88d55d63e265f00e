package dev.tether.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.proxy.health.ServerHealth.Change;
import org.junit.jupiter.api.Test;

class ServerHealthTest {

  @Test
  void fallConsecutiveFailuresTakeItDownAndRisePassesBringItBack() {
    ServerHealth h = new ServerHealth(true, 2, 3);
    assertThat(h.record(false)).isEqualTo(Change.NONE);
    assertThat(h.record(false)).isEqualTo(Change.NONE);
    assertThat(h.up()).isTrue();
    assertThat(h.record(false)).isEqualTo(Change.WENT_DOWN);
    assertThat(h.up()).isFalse();
    assertThat(h.record(false)).isEqualTo(Change.NONE);
    assertThat(h.record(true)).isEqualTo(Change.NONE);
    assertThat(h.record(true)).isEqualTo(Change.WENT_UP);
    assertThat(h.up()).isTrue();
  }

  @Test
  void aResultAgreeingWithTheStateResetsTheStreak() {
    ServerHealth h = new ServerHealth(true, 2, 3);
    for (int i = 0; i < 10; i++) {
      assertThat(h.record(false)).isEqualTo(Change.NONE);
      assertThat(h.record(false)).isEqualTo(Change.NONE);
      assertThat(h.record(true)).as("flapping never reaches fall").isEqualTo(Change.NONE);
    }
    assertThat(h.up()).isTrue();

    ServerHealth down = new ServerHealth(false, 3, 1);
    assertThat(down.record(true)).isEqualTo(Change.NONE);
    assertThat(down.record(true)).isEqualTo(Change.NONE);
    assertThat(down.record(false)).isEqualTo(Change.NONE);
    assertThat(down.record(true)).isEqualTo(Change.NONE);
    assertThat(down.up()).isFalse();
  }

  @Test
  void riseAndFallOfOneActAtOnce() {
    ServerHealth h = new ServerHealth(true, 1, 1);
    assertThat(h.record(false)).isEqualTo(Change.WENT_DOWN);
    assertThat(h.record(true)).isEqualTo(Change.WENT_UP);
  }

  @Test
  void countsBelowOneAreRefused() {
    assertThatThrownBy(() -> new ServerHealth(true, 0, 3)).hasMessageContaining("at least 1");
  }
}
