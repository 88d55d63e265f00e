package dev.tether.proxy.config;

import static dev.tether.proxy.config.ConfigErrorsTest.only;
import static dev.tether.proxy.config.ConfigErrorsTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.proxy.config.yaml.ConfigLoader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutlierConfigTest {

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
  void absentSectionMeansOffAndNoPanic() throws ConfigException {
    PoolConfig p = pool("");
    assertThat(p.outlier()).isNull();
    assertThat(p.panicThreshold()).isZero();
  }

  @Test
  void emptySectionTakesTheDefaultsAndPanicAtHalf() throws ConfigException {
    PoolConfig p = pool("    outlier: {}\n");
    assertThat(p.outlier())
        .isEqualTo(new OutlierConfig(3, 5, 3, Duration.ofSeconds(30), Duration.ofMinutes(5), 50));
    assertThat(p.panicThreshold()).isEqualTo(50);
  }

  @Test
  void everyKeyIsRead() throws ConfigException {
    PoolConfig p =
        pool(
            """
            outlier:
              consecutive-connect-failures: 2
              consecutive-5xx: 0
              consecutive-timeouts: 7
              base-ejection: 300ms
              max-ejection: 10s
              max-ejected-share: 34%
            panic-threshold: 0%
        """);
    assertThat(p.outlier())
        .isEqualTo(new OutlierConfig(2, 0, 7, Duration.ofMillis(300), Duration.ofSeconds(10), 34));
    assertThat(p.panicThreshold()).isZero();
  }

  @Test
  void panicThresholdWorksWithoutOutlierDetection() throws ConfigException {
    assertThat(pool("    panic-threshold: 30%\n").panicThreshold()).isEqualTo(30);
  }

  @Test
  void badThresholdNamesFileLineKeyAndRange() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            outlier:
              consecutive-5xx: many
        """
                + SERVERS);
    assertThat(p)
        .isEqualTo(
            new ConfigProblem(
                "tether.yaml",
                5,
                24,
                "pools.web.outlier.consecutive-5xx",
                "'many' is not a whole number; use 0..1000"));
  }

  @Test
  void badShareAndThresholdSayWhatIsAllowed() {
    assertThat(
            problems(
                """
        listen: 127.0.0.1:8080
        pools:
          web:
            outlier:
              max-ejected-share: 0.5
            panic-threshold: 120%
        """
                    + SERVERS))
        .containsExactly(
            new ConfigProblem(
                "tether.yaml",
                5,
                26,
                "pools.web.outlier.max-ejected-share",
                "'0.5' is not a percentage; use 1%..100%, e.g. 50%"),
            new ConfigProblem(
                "tether.yaml",
                6,
                22,
                "pools.web.panic-threshold",
                "120% is out of range; use 0%..100%, e.g. 50%"));
    assertThat(
            only("""
        listen: 127.0.0.1:8080
        pools:
          web:
            outlier: { max-ejected-share: 0% }
        """
                    + SERVERS)
                .message())
        .isEqualTo("0% is out of range; use 1%..100%, e.g. 50%");
  }

  @Test
  void maxEjectionShorterThanBaseIsRefused() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            outlier:
              base-ejection: 1m
              max-ejection: 30s
        """
                + SERVERS);
    assertThat(p.path()).isEqualTo("pools.web.outlier.max-ejection");
    assertThat(p.line()).isEqualTo(6);
    assertThat(p.message())
        .isEqualTo("30s is shorter than base-ejection 1m; use at least the base");
  }

  @Test
  void badDurationAndUnknownKeyAreReported() {
    assertThat(
            problems(
                """
        listen: 127.0.0.1:8080
        pools:
          web:
            outlier:
              base-ejection: soon
              consecutive-5xxx: 3
        """
                    + SERVERS))
        .extracting(ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "pools.web.outlier.base-ejection",
                "'soon' is not a duration; use a number with ms, s, m, h or d, e.g. 2s"),
            org.assertj.core.groups.Tuple.tuple(
                "pools.web.outlier.consecutive-5xxx",
                "unknown key; did you mean `consecutive-5xx`? allowed here: consecutive-connect-failures, "
                    + "consecutive-5xx, consecutive-timeouts, base-ejection, max-ejection, max-ejected-share"));
  }

  @Test
  void outlierMustBeAMapping() {
    ConfigProblem p =
        only(
            """
        listen: 127.0.0.1:8080
        pools:
          web:
            outlier: yes
        """
                + SERVERS);
    assertThat(p.path()).isEqualTo("pools.web.outlier");
    assertThat(p.message()).isEqualTo("must be a mapping of keys to values, not 'yes'");
  }
}
