package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The {@code alerts} section: rules evaluated off the data plane every {@code interval}, and where
 * firing and resolved alerts are posted.
 *
 * @param interval between evaluations ({@code interval}, default 1s)
 * @param webhook where every firing and resolved alert is POSTed as JSON, or {@code null}
 * @param rules the rules in file order; empty when there is no {@code alerts} section
 */
public record AlertsConfig(Duration interval, Webhook webhook, List<AlertRuleConfig> rules) {

  /** No rules, no webhook. */
  public static final AlertsConfig NONE = new AlertsConfig(Duration.ofSeconds(1), null, List.of());

  /**
   * The webhook ({@code alerts.webhook}).
   *
   * @param url an http or https URL ({@code url})
   * @param timeout for one POST ({@code timeout}, default 5s)
   * @param attempts most tries of one POST, 1..20 ({@code attempts}, default 5)
   * @param backoff the wait before the second try, doubled for every further one ({@code backoff},
   *     default 1s)
   */
  public record Webhook(URI url, Duration timeout, int attempts, Duration backoff) {
    public Webhook {
      requireNonNull(url, "url");
      requireNonNull(timeout, "timeout");
      requireNonNull(backoff, "backoff");
    }
  }

  public AlertsConfig {
    requireNonNull(interval, "interval");
    rules = List.copyOf(rules);
  }
}
