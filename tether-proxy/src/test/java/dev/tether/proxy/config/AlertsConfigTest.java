package dev.tether.proxy.config;

import static dev.tether.proxy.config.ConfigErrorsTest.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tether.proxy.config.AlertRuleConfig.Kind;
import dev.tether.proxy.config.yaml.ConfigLoader;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertsConfigTest {

  private static final String POOLS =
      """
      listen: 127.0.0.1:8080
      pools:
        web:
          instance-metrics: { path: /tether/metrics, interval: 5s }
          servers: [ { name: s1, address: 127.0.0.1:9001 } ]
        api:
          servers: [ { name: a1, address: 127.0.0.1:9101 } ]
      routes: [ { path-prefix: /api, pool: api }, { path-prefix: /, pool: web } ]
      """;

  @Test
  void readsEveryKindWithDefaults() throws Exception {
    TetherConfig c =
        ConfigLoader.parse(
            POOLS
                + """
        alerts:
          interval: 2s
          webhook: { url: "http://127.0.0.1:9093/hook", attempts: 3 }
          rules:
            - { kind: birth-rate-spike, pool: web, factor: 3, window: 10m, for: 1m }
            - { name: web-imbalance, kind: spread-imbalance, pool: web, factor: 2, for: 30s }
            - { kind: server-down, for: 10s }
            - { kind: error-rate, share: 0.05 }
            - { kind: session-size, pool: web, limit: 64k, for: 5m }
        """,
            "tether.yaml",
            Map.<String, String>of()::get);
    AlertsConfig a = c.alerts();
    assertThat(a.interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(a.webhook())
        .isEqualTo(
            new AlertsConfig.Webhook(
                URI.create("http://127.0.0.1:9093/hook"),
                Duration.ofSeconds(5),
                3,
                Duration.ofSeconds(1)));
    assertThat(a.rules())
        .extracting(
            AlertRuleConfig::name,
            AlertRuleConfig::kind,
            AlertRuleConfig::pool,
            AlertRuleConfig::threshold,
            AlertRuleConfig::window,
            AlertRuleConfig::forDuration)
        .containsExactly(
            tuple(
                "web-birth-rate-spike",
                Kind.BIRTH_RATE_SPIKE,
                "web",
                3.0,
                Duration.ofMinutes(10),
                Duration.ofMinutes(1)),
            tuple(
                "web-imbalance",
                Kind.SPREAD_IMBALANCE,
                "web",
                2.0,
                Duration.ZERO,
                Duration.ofSeconds(30)),
            tuple(
                "server-down", Kind.SERVER_DOWN, null, 0.0, Duration.ZERO, Duration.ofSeconds(10)),
            tuple("error-rate", Kind.ERROR_RATE, null, 0.05, Duration.ofMinutes(1), Duration.ZERO),
            tuple(
                "web-session-size",
                Kind.SESSION_SIZE,
                "web",
                65536.0,
                Duration.ZERO,
                Duration.ofMinutes(5)));
    assertThat(c.pools().get("web").instanceMetrics())
        .isEqualTo(
            new InstanceMetricsConfig(
                "/tether/metrics", Duration.ofSeconds(5), Duration.ofSeconds(2)));
    assertThat(c.pools().get("api").instanceMetrics()).isNull();
  }

  @Test
  void noAlertsSectionMeansNoRules() throws Exception {
    assertThat(ConfigLoader.parse(POOLS, "tether.yaml", Map.<String, String>of()::get).alerts())
        .isEqualTo(AlertsConfig.NONE);
  }

  @Test
  void errorsNameLineColumnKeyAndWhatIsAllowed() {
    assertThat(
            problems(
                POOLS
                    + """
        alerts:
          webhok: http://x
          rules:
            - { kind: spread-imbalanse, factor: 2 }
            - { kind: spread-imbalance, factor: 2, share: 0.5 }
            - { kind: error-rate, pool: wbe, share: 0.05 }
            - { kind: error-rate, share: 5 }
            - { kind: session-size, pool: api, limit: 1k }
            - { kind: server-down }
            - { kind: server-down, for: 1x }
            - { kind: server-down }
            - { kind: error-rate, name: slow, share: 0.1, window: 2h }
        """))
        .extracting(
            ConfigProblem::line, ConfigProblem::column, ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            tuple(
                10,
                3,
                "alerts.webhok",
                "unknown key; did you mean `webhook`? allowed here: interval, webhook, rules"),
            tuple(
                12,
                15,
                "alerts.rules[0].kind",
                "'spread-imbalanse' is not allowed; use birth-rate-spike, "
                    + "spread-imbalance, server-down, error-rate or session-size"),
            tuple(
                13,
                44,
                "alerts.rules[1].share",
                "unknown key; allowed here: kind, pool, name, for, factor"),
            tuple(
                14,
                33,
                "alerts.rules[2].pool",
                "no pool is called 'wbe'; did you mean `web`? pools: web, api "
                    + "(leave pool out to watch every pool)"),
            tuple(
                15,
                34,
                "alerts.rules[3].share",
                "5.0 is not a share; use a number above 0 and at most 1, e.g. 0.05"),
            tuple(
                16,
                35,
                "alerts.rules[4].pool",
                "pool api does not scrape its instances; add "
                    + "pools.api.instance-metrics: { path: /tether/metrics } or watch another pool"),
            tuple(
                18,
                15,
                "alerts.rules[6].kind",
                "rule name 'server-down' is already used by the rule at line 17; "
                    + "give each rule its own name"),
            tuple(
                18,
                33,
                "alerts.rules[6].for",
                "'1x' is not a duration; use a number with ms, s, m, h or d, e.g. 2s"),
            tuple(
                19,
                15,
                "alerts.rules[7].kind",
                "rule name 'server-down' is already used by the rule at line 17; "
                    + "give each rule its own name"),
            tuple(
                20,
                59,
                "alerts.rules[8].window",
                "2h is too long; the balancer keeps an hour of history, use at most 1h"));
  }

  @Test
  void instanceMetricsKeysAreChecked() {
    assertThat(
            problems(
                """
        listen: 127.0.0.1:8080
        pools:
          web:
            instance-metrics: { path: metrics, intervall: 5s, timeout: 10s }
            servers: [ { name: s1, address: 127.0.0.1:9001 } ]
        """))
        .extracting(ConfigProblem::line, ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            tuple(
                4,
                "pools.web.instance-metrics.path",
                "'metrics' is not a request path; start with / and use no spaces, e.g. /tether/metrics"),
            tuple(
                4,
                "pools.web.instance-metrics.intervall",
                "unknown key; did you mean `interval`? allowed here: path, interval, timeout"),
            tuple(
                4,
                "pools.web.instance-metrics.timeout",
                "10s is longer than the interval 5s; use at most the interval"));
  }
}
