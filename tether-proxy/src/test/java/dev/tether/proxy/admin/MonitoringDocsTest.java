package dev.tether.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tether.balance.BalanceEnv;
import dev.tether.balance.Balancers;
import dev.tether.balance.Pool;
import dev.tether.balance.Server;
import dev.tether.balance.affinity.AffinityPolicy;
import dev.tether.balance.affinity.AffinityRules;
import dev.tether.balance.affinity.policy.AffinityPolicies;
import dev.tether.proxy.analytics.Analytics;
import dev.tether.proxy.analytics.PrometheusText;
import dev.tether.proxy.config.PoolConfig;
import dev.tether.proxy.config.yaml.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped monitoring files parse, and every metric their expressions use is one the balancer's
 * registry really exports (so a renamed meter breaks this test, not someone's dashboard).
 */
class MonitoringDocsTest {

  private static final Path DOCS = Path.of("..", "docs");
  private static final Pattern METRIC = Pattern.compile("\\btether_[a-z_]+\\b");

  /** The series names the admin /metrics exports for a pool with affinity and instance scraping. */
  private static Set<String> exported() throws Exception {
    Analytics analytics = Analytics.manual(System::nanoTime);
    try {
      Pool pool =
          new Pool(
              "web",
              List.of(new Server("s1", "127.0.0.1", 9001, 1)),
              Balancers.find("round-robin").orElseThrow(),
              Map.of(),
              BalanceEnv.SYSTEM);
      AffinityPolicy affinity =
          AffinityPolicies.keyed(
              "header", r -> null, null, AffinityRules.DEFAULTS, BalanceEnv.SYSTEM);
      PoolConfig pc =
          ConfigLoader.parse(
                  """
          listen: 127.0.0.1:0
          pools:
            web:
              instance-metrics: { path: /tether/metrics }
              servers: [ { name: s1, address: 127.0.0.1:9001 } ]
          """,
                  "docs.yaml",
                  Map.<String, String>of()::get)
              .pools()
              .get("web");
      analytics.bind(Map.of("web", pool), Map.of("web", pc), p -> affinity, Map.of());
      new AdminMeters(analytics.registry()).bind(Map.of("web", pool), p -> affinity);
      analytics.sample();
      Set<String> names = new TreeSet<>();
      PrometheusText.parse(analytics.registry().scrape()).forEach(s -> names.add(s.name()));
      return names;
    } finally {
      analytics.close();
    }
  }

  private static List<String> metricsIn(String expr) {
    List<String> out = new ArrayList<>();
    Matcher m = METRIC.matcher(expr);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  @Test
  void prometheusRulesParseAndUseExportedMetrics() throws Exception {
    Set<String> exported = exported();
    JsonNode doc =
        new ObjectMapper(new YAMLFactory())
            .readTree(Files.readString(DOCS.resolve("prometheus-alerts.yaml")));
    List<String> alerts = new ArrayList<>();
    for (JsonNode group : doc.get("groups")) {
      assertThat(group.get("name").asText()).isNotBlank();
      for (JsonNode rule : group.get("rules")) {
        alerts.add(rule.get("alert").asText());
        String expr = rule.get("expr").asText();
        assertThat(metricsIn(expr)).as(rule.get("alert").asText()).isNotEmpty();
        assertThat(exported)
            .as("metrics of " + rule.get("alert").asText())
            .containsAll(metricsIn(expr));
        assertThat(rule.get("for").asText()).matches("\\d+[smh]");
        assertThat(rule.get("annotations").get("summary").asText()).isNotBlank();
      }
    }
    assertThat(alerts)
        .containsExactly(
            "TetherBirthRateSpike",
            "TetherSpreadImbalance",
            "TetherServerDown",
            "TetherErrorRate",
            "TetherSessionSize");
  }

  @Test
  void grafanaDashboardIsImportableAndUsesExportedMetrics() throws Exception {
    Set<String> exported = exported();
    JsonNode d =
        new ObjectMapper().readTree(Files.readString(DOCS.resolve("grafana-dashboard.json")));
    assertThat(d.get("schemaVersion").asInt()).isEqualTo(39);
    assertThat(d.get("__inputs").get(0).get("name").asText()).isEqualTo("DS_PROMETHEUS");
    assertThat(d.get("__inputs").get(0).get("pluginId").asText()).isEqualTo("prometheus");
    List<String> titles = new ArrayList<>();
    Set<Integer> ids = new TreeSet<>();
    for (JsonNode p : d.get("panels")) {
      titles.add(p.get("title").asText());
      assertThat(ids.add(p.get("id").asInt())).as("unique panel id").isTrue();
      assertThat(p.get("datasource").get("uid").asText()).isEqualTo("${DS_PROMETHEUS}");
      assertThat(p.get("targets")).isNotEmpty();
      for (JsonNode t : p.get("targets")) {
        String expr = t.get("expr").asText();
        assertThat(metricsIn(expr)).as(p.get("title").asText()).isNotEmpty();
        assertThat(exported)
            .as("metrics of panel " + p.get("title").asText())
            .containsAll(metricsIn(expr));
      }
    }
    assertThat(titles)
        .containsExactly(
            "Requests per second",
            "Errors (5xx) per second",
            "Latency p99",
            "Live sessions per server (spread)",
            "Session imbalance (max / mean)",
            "Session birth rate",
            "Session lifespan",
            "Instance sessions",
            "Instance session size p99",
            "Instance store latency p99");
    assertThat(exported)
        .containsAll(metricsIn(d.get("templating").get("list").get(0).get("definition").asText()));
  }
}
