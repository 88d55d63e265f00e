package dev.tether.proxy.config;

import static dev.tether.proxy.config.ConfigErrorsTest.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.balance.affinity.DrainMode;
import dev.tether.proxy.config.yaml.ConfigLoader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DrainConfigTest {

  private static final String SERVERS = ConfigErrorsTest.SERVERS;

  private static PoolConfig pool(String poolKeys) throws ConfigException {
    TetherConfig c =
        ConfigLoader.parse(
            "listen: 127.0.0.1:8080\npools:\n  web:\n" + poolKeys + SERVERS,
            "tether.yaml",
            Map.<String, String>of()::get);
    return c.pools().get("web");
  }

  @Test
  void absentSectionIsSoftAtTenTunnelsASecondWithoutDeadline() throws ConfigException {
    assertThat(pool("").drain())
        .isEqualTo(DrainConfig.DEFAULTS)
        .isEqualTo(new DrainConfig(DrainMode.SOFT, Duration.ofSeconds(30), 10, null));
  }

  @Test
  void everyKeyIsRead() throws ConfigException {
    PoolConfig p =
        pool(
            """
            sessions: replicated
            drain:
              mode: boundary
              boundary-idle: 45s
              tunnel-close-rate: 25/s
              deadline: 10m
        """);
    assertThat(p.drain())
        .isEqualTo(
            new DrainConfig(
                DrainMode.BOUNDARY, Duration.ofSeconds(45), 25, Duration.ofMinutes(10)));
    assertThat(pool("    drain: { mode: hard }\n").drain().mode()).isEqualTo(DrainMode.HARD);
  }

  @Test
  void boundaryWithoutReplicatedSessionsNamesFileLineAndKey() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            drain:
              mode: boundary
        """
                + SERVERS);
    assertThat(p.source()).isEqualTo("tether.yaml");
    assertThat(p.line()).isEqualTo(5);
    assertThat(p.path()).isEqualTo("pools.web.drain.mode");
    assertThat(p.message())
        .startsWith(
            "boundary moves live sessions to other servers and needs `sessions: replicated`")
        .contains("sessions is local");
  }

  @Test
  void badValuesSayWhatIsAllowed() {
    assertThat(
            only("""
        listen: 127.0.0.1:8080
        pools:
          web:
            drain: { mode: gentle }
        """
                    + SERVERS)
                .message())
        .isEqualTo("'gentle' is not allowed; use soft, hard or boundary");
    ConfigProblem rate =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            drain:
              tunnel-close-rate: 10
        """
                + SERVERS);
    assertThat(rate.path()).isEqualTo("pools.web.drain.tunnel-close-rate");
    assertThat(rate.line()).isEqualTo(5);
    assertThat(rate.message())
        .isEqualTo("'10' is not a rate; use 1/s..10000/s tunnels per second, e.g. 10/s");
    assertThat(
            only("""
        listen: 127.0.0.1:8080
        pools:
          web:
            drain: { deadline: soon }
        """
                    + SERVERS)
                .message())
        .isEqualTo("'soon' is not a duration; use a number with ms, s, m, h or d, e.g. 2s");
    ConfigProblem idle =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            drain: { mode: hard, boundary-idle: 10s }
        """
                + SERVERS);
    assertThat(idle.path()).isEqualTo("pools.web.drain.boundary-idle");
    assertThat(idle.message()).isEqualTo("applies to mode boundary only (mode is hard)");
    assertThat(
            only("""
        listen: 127.0.0.1:8080
        pools:
          web:
            drain: { dedline: 1m }
        """
                    + SERVERS)
                .message())
        .startsWith("unknown key; did you mean `deadline`?");
  }

  @Test
  void adminDeadlinesUseTheDurationSyntax() {
    assertThat(DrainConfig.parseDeadline("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThatThrownBy(() -> DrainConfig.parseDeadline("10")).hasMessageContaining("has no unit");
    assertThatThrownBy(() -> DrainConfig.parseDeadline("500ms"))
        .hasMessage("'500ms' is too short; use at least 1s, e.g. 10m");
  }
}
