package dev.tether.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pool and server meters follow the configuration, and leave other meters alone. */
class AdminMetersTest {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AdminMeters meters = new AdminMeters(registry);

  private static Pool pool(String... servers) {
    return new Pool(
        "web",
        java.util.Arrays.stream(servers).map(s -> new Server(s, "127.0.0.1", 9001, 1)).toList(),
        Balancers.find("round-robin").orElseThrow(),
        Map.of(),
        BalanceEnv.SYSTEM);
  }

  @Test
  void aRemovedServerTakesItsGaugesAndAnAddedOneGetsThem() {
    meters.bind(Map.of("web", pool("s1", "dead")), p -> null);
    assertThat(registry.scrape()).contains("tether_server_up{pool=\"web\",server=\"dead\"}");

    meters.bind(Map.of("web", pool("s1")), p -> null);

    assertThat(registry.scrape())
        .doesNotContain("server=\"dead\"")
        .contains("tether_server_up{pool=\"web\",server=\"s1\"}");
  }

  @Test
  void aCounterAnotherPartRegistersWhileTheMetersAreBoundOutlivesTheNextBinding() {
    // The passive checks register an ejection counter from an event loop; here it lands while the
    // binding is in progress (the affinity lookup runs in the middle of it).
    meters.bind(
        Map.of("web", pool("s1", "dead")),
        p -> {
          Counter.builder("tether.outlier.ejections")
              .tags("pool", "web", "server", "dead", "reason", "connect-failure")
              .register(registry)
              .increment();
          return null;
        });

    meters.bind(Map.of("web", pool("s1")), p -> null);

    assertThat(registry.scrape())
        .contains(
            "tether_outlier_ejections_total{pool=\"web\",reason=\"connect-failure\",server=\"dead\"}"
                + " 1.0")
        .doesNotContain("tether_server_up{pool=\"web\",server=\"dead\"}");
  }
}
