package dev.tether.session.circuit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a {@link CircuitBreaker} opens and for how long.
 *
 * <p>From store settings ({@link #fromSettings}), under the keys {@code circuit.enabled} ({@code
 * true}/{@code false}; the default depends on the store: on for stores that do I/O), {@code
 * circuit.failures} (consecutive failures that open it, default {@value #DEFAULT_FAILURES}), {@code
 * circuit.window} (how many recent calls the failure ratio is taken over, default {@value
 * #DEFAULT_WINDOW}), {@code circuit.ratio} (the failure ratio over a full window that opens it,
 * default {@value #DEFAULT_RATIO}) and {@code circuit.cool-down} (how long it stays open before one
 * probe call is let through, default 5s).
 *
 * <pre>{@code
 * CircuitBreakerSettings s = CircuitBreakerSettings.defaults().withCoolDown(Duration.ofSeconds(2));
 * }</pre>
 *
 * @param enabled whether the store is guarded at all
 * @param failures consecutive failures that open the circuit, 1..{@value #MAX_FAILURES}
 * @param window how many of the most recent calls {@code ratio} is judged over, 1..{@value
 *     #MAX_WINDOW}; the ratio only applies once that many calls were seen since it last closed
 * @param ratio the share of failures among the last {@code window} calls that opens the circuit,
 *     greater than 0 and at most 1
 * @param coolDown how long the circuit stays open before a probe call is let through; 10ms..1h
 */
public record CircuitBreakerSettings(
    boolean enabled, int failures, int window, double ratio, Duration coolDown) {

  /** The settings keys' common prefix. */
  public static final String PREFIX = "circuit.";

  /** The store settings this class reads, with {@link #PREFIX}. */
  public static final Set<String> KEYS =
      Set.of(
          "circuit.enabled",
          "circuit.failures",
          "circuit.window",
          "circuit.ratio",
          "circuit.cool-down");

  public static final int DEFAULT_FAILURES = 5;
  public static final int DEFAULT_WINDOW = 20;
  public static final double DEFAULT_RATIO = 0.5;
  public static final Duration DEFAULT_COOL_DOWN = Duration.ofSeconds(5);
  public static final int MAX_FAILURES = 1000;
  public static final int MAX_WINDOW = 10_000;

  private static final Duration MIN_COOL_DOWN = Duration.ofMillis(10);
  private static final Duration MAX_COOL_DOWN = Duration.ofHours(1);
  private static final Pattern SHORT_DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

  public CircuitBreakerSettings {
    requireNonNull(coolDown, "coolDown");
    if (failures < 1 || failures > MAX_FAILURES) {
      throw new IllegalArgumentException(
          "circuit breaker failures " + failures + " must be 1.." + MAX_FAILURES);
    }
    if (window < 1 || window > MAX_WINDOW) {
      throw new IllegalArgumentException(
          "circuit breaker window " + window + " must be 1.." + MAX_WINDOW + " calls");
    }
    if (!(ratio > 0 && ratio <= 1)) {
      throw new IllegalArgumentException(
          "circuit breaker ratio " + ratio + " must be greater than 0 and at most 1");
    }
    if (coolDown.compareTo(MIN_COOL_DOWN) < 0 || coolDown.compareTo(MAX_COOL_DOWN) > 0) {
      throw new IllegalArgumentException(
          "circuit breaker cool-down " + coolDown + " must be 10ms..1h");
    }
  }

  /** On: 5 consecutive failures or half of the last 20 calls open it for 5 seconds. */
  public static CircuitBreakerSettings defaults() {
    return new CircuitBreakerSettings(
        true, DEFAULT_FAILURES, DEFAULT_WINDOW, DEFAULT_RATIO, DEFAULT_COOL_DOWN);
  }

  /** Off: the store is not guarded. */
  public static CircuitBreakerSettings disabled() {
    return defaults().withEnabled(false);
  }

  public CircuitBreakerSettings withEnabled(boolean on) {
    return new CircuitBreakerSettings(on, failures, window, ratio, coolDown);
  }

  public CircuitBreakerSettings withFailures(int n) {
    return new CircuitBreakerSettings(enabled, n, window, ratio, coolDown);
  }

  public CircuitBreakerSettings withWindow(int calls, double failureRatio) {
    return new CircuitBreakerSettings(enabled, failures, calls, failureRatio, coolDown);
  }

  public CircuitBreakerSettings withCoolDown(Duration d) {
    return new CircuitBreakerSettings(enabled, failures, window, ratio, d);
  }

  /**
   * The settings that {@code settings}' {@code circuit.*} keys describe, the defaults for the keys
   * not given.
   *
   * @param store the store's name, for messages
   * @param enabledByDefault whether the breaker is on when {@code circuit.enabled} is not set
   * @throws IllegalArgumentException naming the store, the setting, its value and what is allowed
   */
  public static CircuitBreakerSettings fromSettings(
      String store, Map<String, String> settings, boolean enabledByDefault) {
    requireNonNull(store, "store");
    requireNonNull(settings, "settings");
    Set<String> unknown = new TreeSet<>();
    for (String k : settings.keySet()) {
      if (k.startsWith(PREFIX) && !KEYS.contains(k)) {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown setting(s) "
              + unknown
              + " for session store '"
              + store
              + "'; allowed: "
              + new TreeSet<>(KEYS));
    }
    CircuitBreakerSettings d = defaults();
    boolean enabled =
        bool(store, "circuit.enabled", settings.get("circuit.enabled"), enabledByDefault);
    int failures =
        whole(
            store,
            "circuit.failures",
            settings.get("circuit.failures"),
            d.failures(),
            MAX_FAILURES);
    int window =
        whole(store, "circuit.window", settings.get("circuit.window"), d.window(), MAX_WINDOW);
    double ratio = ratio(store, settings.get("circuit.ratio"), d.ratio());
    Duration coolDown = duration(store, settings.get("circuit.cool-down"), d.coolDown());
    return new CircuitBreakerSettings(enabled, failures, window, ratio, coolDown);
  }

  /** {@code settings} without the {@code circuit.*} keys: what the store itself is given. */
  public static Map<String, String> withoutCircuitKeys(Map<String, String> settings) {
    Map<String, String> rest = new LinkedHashMap<>(settings);
    rest.keySet().removeIf(k -> k.startsWith(PREFIX));
    return rest;
  }

  private static boolean bool(String store, String key, String value, boolean fallback) {
    if (value == null) {
      return fallback;
    }
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true", "on" -> true;
      case "false", "off" -> false;
      default -> throw bad(store, key, value, "true or false");
    };
  }

  private static int whole(String store, String key, String value, int fallback, int max) {
    if (value == null) {
      return fallback;
    }
    String v = value.strip();
    int n = v.matches("[0-9]{1,6}") ? Integer.parseInt(v) : 0;
    if (n < 1 || n > max) {
      throw bad(store, key, value, "a whole number 1.." + max);
    }
    return n;
  }

  private static double ratio(String store, String value, double fallback) {
    if (value == null) {
      return fallback;
    }
    double r;
    try {
      r = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      r = Double.NaN;
    }
    if (!(r > 0 && r <= 1)) {
      throw bad(store, "circuit.ratio", value, "a number greater than 0 and at most 1, e.g. 0.5");
    }
    return r;
  }

  private static Duration duration(String store, String value, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    String v = value.strip().toLowerCase(Locale.ROOT);
    Duration d = null;
    Matcher m = SHORT_DURATION.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
          };
    } else if (v.startsWith("pt")) {
      try {
        d = Duration.parse(v.toUpperCase(Locale.ROOT));
      } catch (RuntimeException e) {
        d = null; // reported below
      }
    }
    if (d == null || d.compareTo(MIN_COOL_DOWN) < 0 || d.compareTo(MAX_COOL_DOWN) > 0) {
      throw bad(
          store,
          "circuit.cool-down",
          value,
          "a duration from 10ms to 1h, like 500ms, 5s, 1m or PT5S");
    }
    return d;
  }

  private static IllegalArgumentException bad(
      String store, String key, String value, String allowed) {
    return new IllegalArgumentException(
        "session store '"
            + store
            + "': setting '"
            + key
            + "' is '"
            + value
            + "'; allowed: "
            + allowed);
  }
}
