package dev.tether.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Settings and control errors say what is wrong and what is allowed. */
class DemoClusterTest {

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> StoreKind.of("mongo"))
        .hasMessage("store 'mongo' is unknown; allowed: grid, redis, jdbc, file, memory");
    assertThat(StoreKind.of(" Redis ")).isEqualTo(StoreKind.REDIS);
    DemoSettings d = DemoSettings.defaults();
    assertThat(d.store()).isEqualTo(StoreKind.GRID);
    assertThat(d.instances()).isEqualTo(3);
    assertThat(d.idleTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(d.expiryWarning()).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.touchInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(d.withIdleTimeout(Duration.ofSeconds(10)).expiryWarning())
        .isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> d.withStore(StoreKind.REDIS, null))
        .hasMessageContaining("needs a URI like redis://");
    assertThatThrownBy(() -> d.withStore(StoreKind.JDBC, "postgres://x"))
        .hasMessageContaining("needs a JDBC URL");
    assertThatThrownBy(() -> d.withStore(StoreKind.GRID, "x")).hasMessageContaining("takes no URI");
    assertThat(d.withStore(StoreKind.MEMORY, " ").storeUri()).isNull();
    assertThatThrownBy(() -> d.withInstances(0))
        .hasMessage("instances 0 is out of range; allowed: 1 to 20");
    assertThatThrownBy(() -> d.withIdleTimeout(Duration.ofMillis(10)))
        .hasMessageContaining("allowed: 1 second or more");
    assertThatThrownBy(() -> d.withNamespace("a-b")).hasMessageContaining("letters, digits or _");
  }

  @Test
  void controlErrorsNameTheInstances() {
    try (DemoCluster demo =
        DemoCluster.start(
            DemoSettings.defaults().withStore(StoreKind.MEMORY, null).withInstances(2))) {
      assertThatThrownBy(() -> demo.kill("s9"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("no instance 's9'; the instances are [s1, s2]");
      assertThatThrownBy(() -> demo.add("web1"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("use s1, s2");
      assertThatThrownBy(() -> demo.add("s2"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already exists");
      assertThatThrownBy(() -> demo.start("s1"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("instance s1 is already running");
      assertThat(demo.kill("s1").running()).isFalse();
      assertThatThrownBy(() -> demo.kill("s1"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("is not running");
      assertThat(demo.add("s10").name()).isEqualTo("s10");
      assertThat(demo.add().name()).isEqualTo("s11");
      assertThat(demo.instances())
          .extracting(DemoInstance::name)
          .containsExactly("s1", "s2", "s10", "s11");
      assertThat(demo.instances())
          .extracting(DemoInstance::running)
          .containsExactly(false, true, true, true);
    }
  }
}
