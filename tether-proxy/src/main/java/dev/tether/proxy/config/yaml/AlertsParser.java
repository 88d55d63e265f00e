package dev.tether.proxy.config.yaml;

import dev.tether.proxy.config.AlertRuleConfig;
import dev.tether.proxy.config.AlertRuleConfig.Kind;
import dev.tether.proxy.config.AlertsConfig;
import dev.tether.proxy.config.Durations;
import dev.tether.proxy.config.NameRules;
import dev.tether.proxy.config.PoolConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the top-level {@code alerts} section. Each rule accepts only the keys of its kind, so a
 * threshold of another kind (say {@code share} on a {@code spread-imbalance} rule) is reported as
 * an unknown key with the keys that kind allows.
 */
final class AlertsParser {

  private static final Duration POSITIVE = Duration.ofMillis(1);
  private static final Duration MAX_WINDOW = Duration.ofHours(1);
  private static final List<String> ALL_KEYS =
      List.of("pool", "name", "for", "factor", "window", "share", "limit");

  private AlertsParser() {}

  /**
   * @param poolNames every pool the file names, to check {@code pool} (a pool with errors of its
   *     own is still a pool to point at)
   * @param pools the pools read without errors, to check that session-size rules watch pools that
   *     scrape their instances
   */
  static AlertsConfig read(YamlSection s, List<String> poolNames, Map<String, PoolConfig> pools) {
    Duration interval =
        s.duration("interval", AlertsConfig.NONE.interval(), Duration.ofMillis(100));
    AlertsConfig.Webhook webhook = s.has("webhook") ? readWebhook(s.section("webhook")) : null;
    List<AlertRuleConfig> rules = new ArrayList<>();
    List<Node> items = s.list("rules");
    if (items.isEmpty() && !(s.value("rules") instanceof SequenceNode)) {
      s.missing("rules", "a list of alert rules, e.g. rules: [ { kind: server-down, for: 10s } ]");
    }
    Map<String, Node> names = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      YamlSection r = YamlSection.of(items.get(i), s.pathOf("rules") + "[" + i + "]", s.problems());
      AlertRuleConfig rule = readRule(r, poolNames, pools);
      r.finish();
      if (rule == null) {
        continue;
      }
      Node first = names.putIfAbsent(rule.name(), items.get(i));
      if (first != null) {
        r.error(
            r.has("name") ? "name" : "kind",
            "rule name '"
                + rule.name()
                + "' is already used by the rule at line "
                + (first.getStartMark().getLine() + 1)
                + "; give each rule its own name");
      } else {
        rules.add(rule);
      }
    }
    s.finish();
    return new AlertsConfig(interval, webhook, rules);
  }

  private static AlertsConfig.Webhook readWebhook(YamlSection s) {
    String text = s.text("url", null);
    URI url = null;
    if (text == null) {
      s.missing("url", "where alerts are POSTed, e.g. url: http://127.0.0.1:9093/hook");
    } else {
      try {
        URI u = new URI(text);
        if (("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
            && u.getHost() != null) {
          url = u;
        }
      } catch (URISyntaxException e) {
        // reported below
      }
      if (url == null) {
        s.error(
            "url", "'" + text + "' is not an http or https URL; e.g. http://127.0.0.1:9093/hook");
      }
    }
    Duration timeout = s.duration("timeout", Duration.ofSeconds(5), POSITIVE);
    int attempts = s.integer("attempts", 5, 1, 20);
    Duration backoff = s.duration("backoff", Duration.ofSeconds(1), POSITIVE);
    s.finish();
    return url == null ? null : new AlertsConfig.Webhook(url, timeout, attempts, backoff);
  }

  private static AlertRuleConfig readRule(
      YamlSection r, List<String> poolNames, Map<String, PoolConfig> pools) {
    Kind kind = r.choice("kind", Kind.class, null);
    if (kind == null) {
      if (!r.has("kind")) {
        r.missing(
            "kind",
            "one of birth-rate-spike, spread-imbalance, server-down, error-rate or session-size");
      }
      // Without a kind the other keys cannot be judged; do not report them as unknown.
      ALL_KEYS.forEach(r::value);
      return null;
    }
    String pool = r.text("pool", null);
    boolean poolKnown = pool == null || pools.containsKey(pool);
    if (pool != null && !poolNames.contains(pool)) {
      String hint =
          KeySuggester.closest(pool, poolNames).map(p -> "did you mean `" + p + "`? ").orElse("");
      r.error(
          "pool",
          "no pool is called '"
              + pool
              + "'; "
              + hint
              + "pools: "
              + String.join(", ", poolNames)
              + " (leave pool out to watch every pool)");
    }
    String name = r.text("name", pool == null ? kind.configName() : pool + "-" + kind.configName());
    if (!NameRules.isSimpleName(name)) {
      r.error("name", "'" + name + "' is not a rule name; " + NameRules.SIMPLE);
      return null;
    }
    Duration forDuration = r.duration("for", Duration.ZERO, Duration.ZERO);
    Double threshold = 0.0;
    Duration window = Duration.ZERO;
    switch (kind) {
      case BIRTH_RATE_SPIKE -> {
        threshold = above(r, "factor", 1, "e.g. factor: 3 (three times the moving average)");
        window = r.duration("window", Duration.ofMinutes(10), Duration.ofSeconds(10));
      }
      case SPREAD_IMBALANCE ->
          threshold =
              above(r, "factor", 1, "e.g. factor: 2 (the busiest server holds twice the mean)");
      case SERVER_DOWN -> {}
      case ERROR_RATE -> {
        threshold = required(r, "share", "the share of 5xx answers, 0..1, e.g. share: 0.05");
        if (threshold != null && !(threshold > 0 && threshold <= 1)) {
          r.error(
              "share",
              threshold + " is not a share; use a number above 0 and at most 1, e.g. 0.05");
          threshold = null;
        }
        window = r.duration("window", Duration.ofMinutes(1), Duration.ofSeconds(1));
      }
      case SESSION_SIZE -> {
        threshold = (double) r.size("limit", 0, 1, Integer.MAX_VALUE);
        if (!r.has("limit")) {
          r.missing("limit", "the p99 session size in bytes, e.g. limit: 64k");
          threshold = null;
        }
        if (pool != null && poolKnown && pools.get(pool).instanceMetrics() == null) {
          r.error(
              "pool",
              "pool "
                  + pool
                  + " does not scrape its instances; add pools."
                  + pool
                  + ".instance-metrics: { path: /tether/metrics } or watch another pool");
          threshold = null;
        } else if (pool == null
            && pools.values().stream().allMatch(pc -> pc.instanceMetrics() == null)) {
          r.error(
              "kind",
              "no pool scrapes its instances; add pools.NAME.instance-metrics: { path: /tether/metrics }");
          threshold = null;
        }
      }
      default -> throw new IllegalStateException("unhandled kind " + kind);
    }
    if (window.compareTo(MAX_WINDOW) > 0) {
      r.error(
          "window",
          Durations.format(window)
              + " is too long; the balancer keeps an hour of history, use at most 1h");
      return null;
    }
    if (threshold == null || !poolKnown) {
      return null;
    }
    return new AlertRuleConfig(name, kind, pool, threshold, window, forDuration);
  }

  private static Double required(YamlSection r, String key, String help) {
    if (!r.has(key)) {
      r.missing(key, help);
      return null;
    }
    return r.decimal(key);
  }

  private static Double above(YamlSection r, String key, double min, String help) {
    Double d = required(r, key, help);
    if (d != null && !(d > min)) {
      r.error(key, d + " is too small; use a number above " + (int) min + ", " + help);
      return null;
    }
    return d;
  }
}
