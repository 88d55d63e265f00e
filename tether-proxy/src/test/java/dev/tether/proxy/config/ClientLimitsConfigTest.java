package dev.tether.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientLimitsConfigTest {

  private static final String POOLS =
      """
      pools:
        web:
          servers: [ { name: s1, address: 127.0.0.1:9001 } ]
      """;

  @Test
  void theClientLimitsAreReadBesideTheParsingLimits() throws Exception {
    TetherConfig c =
        ConfigLoaderTest.parse(
            """
        listen: 127.0.0.1:8080
        limits:
          max-header-size: 32k
          max-connections: 10000
          max-connections-per-client: 200
          max-accept-rate: 2000
          max-accept-rate-per-client: 50
          min-body-rate: 1k
          min-response-rate: 512
          slow-client-window: 20s
        """
                + POOLS);
    assertThat(c.limits().maxHeaderSize()).isEqualTo(32 << 10);
    assertThat(c.limits().clients())
        .isEqualTo(new ClientLimits(10000, 200, 2000, 50, 1024, 512, Duration.ofSeconds(20)));
  }

  @Test
  void withoutThemNothingIsLimitedAndStallsAreCutAfterThirtySeconds() throws Exception {
    TetherConfig c = ConfigLoaderTest.parse("listen: 127.0.0.1:8080\n" + POOLS);
    assertThat(c.limits().clients()).isEqualTo(ClientLimits.DEFAULTS);
    assertThat(ClientLimits.DEFAULTS.limitsConnections()).isFalse();
    assertThat(ClientLimits.DEFAULTS.checksRates()).isTrue();
  }

  @Test
  void badValuesNameFileLineAndKey() {
    ConfigException e =
        ConfigErrorsTest.failure(
            () ->
                ConfigLoaderTest.parse(
                    """
        listen: 127.0.0.1:8080
        limits:
          max-connections: 100
          max-connections-per-client: 500
          max-accept-rate: -1
          min-body-rate: fast
          slow-client-window: 200ms
        """
                        + POOLS));
    assertThat(e.problems())
        .extracting(ConfigProblem::path)
        .containsExactlyInAnyOrder(
            "limits.max-connections-per-client",
            "limits.max-accept-rate",
            "limits.min-body-rate",
            "limits.slow-client-window");
    assertThat(e.problems()).allSatisfy(p -> assertThat(p.source()).isEqualTo("tether.yaml"));
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("limits.max-connections-per-client"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(4);
              assertThat(p.message())
                  .contains("more than max-connections (100)", "or 0 for no per-client limit");
            });
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("limits.max-accept-rate"))
        .singleElement()
        .satisfies(p -> assertThat(p.line()).isEqualTo(5));
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("limits.slow-client-window"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(7);
              assertThat(p.message()).contains("use 1s or more", "or 0 to turn");
            });
    assertThat(e.getMessage()).contains("tether.yaml:4");
  }

  @Test
  void aWindowOfZeroTurnsTheRateChecksOff() throws Exception {
    TetherConfig c =
        ConfigLoaderTest.parse(
            "listen: 127.0.0.1:8080\nlimits: { slow-client-window: 0s }\n" + POOLS);
    assertThat(c.limits().clients().checksRates()).isFalse();
  }
}
