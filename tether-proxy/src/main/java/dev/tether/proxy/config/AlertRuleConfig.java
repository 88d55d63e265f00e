package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One alert rule ({@code alerts.rules[]}).
 *
 * @param name unique among the rules ({@code name}; default {@code kind} or {@code pool-kind})
 * @param kind what is watched ({@code kind})
 * @param pool the pool watched, or {@code null} for every pool ({@code pool})
 * @param threshold the kind's threshold: {@code factor} for birth-rate-spike and spread-imbalance,
 *     {@code share} (0..1) for error-rate, {@code limit} (bytes) for session-size; unused (0) for
 *     server-down
 * @param window the averaging window of birth-rate-spike and error-rate ({@code window}); zero for
 *     the other kinds
 * @param forDuration how long the condition must hold before the alert fires ({@code for}, default
 *     0: at the first evaluation that sees it)
 */
public record AlertRuleConfig(
    String name, Kind kind, String pool, double threshold, Duration window, Duration forDuration) {

  /** The kinds of rule, by their config names. */
  public enum Kind {
    /** Birth rate (new affinity keys per second) above factor × its moving average over window. */
    BIRTH_RATE_SPIKE,
    /** Max / mean of live sessions over the servers taking work above factor. */
    SPREAD_IMBALANCE,
    /** A server DOWN (failed its health checks); one alert per server. */
    SERVER_DOWN,
    /** Share of 5xx answers over window above share. */
    ERROR_RATE,
    /** An instance's p99 session size above limit bytes; one alert per server. */
    SESSION_SIZE;

    /** The name the configuration and the admin API use, e.g. {@code birth-rate-spike}. */
    public String configName() {
      return NameRules.configName(this);
    }
  }

  public AlertRuleConfig {
    requireNonNull(name, "name");
    requireNonNull(kind, "kind");
    requireNonNull(window, "window");
    requireNonNull(forDuration, "forDuration");
  }
}
