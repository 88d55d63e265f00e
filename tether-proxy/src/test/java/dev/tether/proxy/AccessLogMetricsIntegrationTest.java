package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The balancer exports the access log's drop counter, and a log file it cannot open stops start-up.
 */
class AccessLogMetricsIntegrationTest {

  @Test
  void theDroppedCounterIsOnMetrics(@TempDir Path dir) throws Exception {
    try (ControlPlane tether =
        ControlPlane.start(
            ConfigLoader.parse(
                """
        listen: 127.0.0.1:0
        workers: 1
        access-log: { path: %s }
        pools: { web: { servers: [ { name: s1, address: 127.0.0.1:1 } ] } }
        """
                    .formatted(dir.resolve("access.log")),
                "test.yaml"))) {
      assertThat(tether.analytics().registry().scrape())
          .containsPattern("(?m)^tether_access_log_dropped_total 0\\.0$");
    }
  }

  @Test
  void anUnopenableFileStopsStartUpNamingIt(@TempDir Path dir) {
    Path file = dir.resolve("missing-dir/access.log");
    assertThatThrownBy(
            () ->
                ControlPlane.start(
                    ConfigLoader.parse(
                        """
        listen: 127.0.0.1:0
        workers: 1
        access-log: { path: %s }
        pools: { web: { servers: [ { name: s1, address: 127.0.0.1:1 } ] } }
        """
                            .formatted(file),
                        "test.yaml")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("access-log.path")
        .hasMessageContaining(file.toString());
  }
}
