package dev.tether.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tether.proxy.config.yaml.ConfigLoader;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetriesConfigTest {

  private static final String SERVERS = "    servers: [ { name: s1, address: 127.0.0.1:9001 } ]\n";

  @Test
  void aPoolWithoutRetriesGetsTheDefaults() throws Exception {
    TetherConfig c =
        ConfigLoader.parse(
            "listen: 127.0.0.1:8080\npools:\n  web:\n" + SERVERS,
            "tether.yaml",
            Map.<String, String>of()::get);
    assertThat(c.pools().get("web").retries()).isEqualTo(RetriesConfig.DEFAULTS);
    assertThat(RetriesConfig.DEFAULTS).isEqualTo(new RetriesConfig(1, Set.of(), 65536, 0.2, 10));
  }

  @Test
  void everyKeyIsRead() throws Exception {
    TetherConfig c =
        ConfigLoader.parse(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            retries: { attempts: 2, on-status: [503, 504], buffer: 16k, budget: 5%, min-retries-per-second: 3 }
        """
                + SERVERS,
            "tether.yaml",
            Map.<String, String>of()::get);
    assertThat(c.pools().get("web").retries())
        .isEqualTo(new RetriesConfig(2, Set.of(503, 504), 16 * 1024, 0.05, 3));
  }

  @Test
  void badValuesNameTheLineTheKeyAndWhatIsAllowed() {
    var problems =
        ConfigErrorsTest.problems(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            retries:
              attempts: 9
              on-status: [503, 404]
              buffer: 2m
              budget: half
              retry-on: [reset]
        """
                + SERVERS);
    assertThat(problems)
        .extracting(ConfigProblem::line, ConfigProblem::path)
        .containsExactly(
            tuple(5, "pools.web.retries.attempts"),
            tuple(6, "pools.web.retries.on-status"),
            tuple(7, "pools.web.retries.buffer"),
            tuple(8, "pools.web.retries.budget"),
            tuple(9, "pools.web.retries.retry-on"));
    assertThat(problems.get(0).message()).contains("0..3");
    assertThat(problems.get(1).message()).contains("'404'", "500..599");
    assertThat(problems.get(2).message()).contains("out of range");
    assertThat(problems.get(3).message())
        .isEqualTo("'half' is not a percentage; use 0%..100%, e.g. 50%");
  }
}
