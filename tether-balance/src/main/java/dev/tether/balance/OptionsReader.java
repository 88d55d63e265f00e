package dev.tether.balance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and checks an algorithm's options, collecting every problem as a sentence a person can act
 * on (STYLE habit 8) instead of stopping at the first.
 *
 * <pre>{@code
 * OptionsReader r = new OptionsReader("random", options, Set.of("slow-start"));
 * long window = r.duration("slow-start", 0);
 * List<String> problems = r.problems();
 * }</pre>
 */
public final class OptionsReader {

  private final String algorithm;
  private final Map<String, String> options;
  private final List<String> problems = new ArrayList<>();

  /** Reports every key of {@code options} that is not in {@code allowed}. */
  public OptionsReader(String algorithm, Map<String, String> options, Set<String> allowed) {
    this.algorithm = algorithm;
    this.options = Map.copyOf(options);
    for (String key : this.options.keySet().stream().sorted().toList()) {
      if (!allowed.contains(key)) {
        problems.add(
            "Algorithm "
                + algorithm
                + " has no option '"
                + key
                + "'; "
                + (allowed.isEmpty()
                    ? "it takes no options."
                    : "allowed: " + String.join(", ", allowed.stream().sorted().toList()) + "."));
      }
    }
  }

  /** Problems found so far. */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  /** Records a problem found by the caller. */
  public void problem(String sentence) {
    problems.add(sentence);
  }

  /** Whether the option is present. */
  public boolean has(String key) {
    return options.containsKey(key);
  }

  /** The raw value, or {@code null}. */
  public String raw(String key) {
    String v = options.get(key);
    return v == null ? null : v.trim();
  }

  /** One of {@code allowed} (case-insensitive), or {@code fallback} when absent or bad. */
  public String choice(String key, String fallback, List<String> allowed) {
    String v = raw(key);
    if (v == null) {
      return fallback;
    }
    for (String a : allowed) {
      if (a.equalsIgnoreCase(v)) {
        return a;
      }
    }
    bad(key, v, "one of " + String.join(", ", allowed));
    return fallback;
  }

  /** {@code true} or {@code false}. */
  public boolean bool(String key, boolean fallback) {
    String v = choice(key, null, List.of("true", "false"));
    return v == null ? fallback : Boolean.parseBoolean(v);
  }

  /** An integer in {@code [min, max]}. */
  public int integer(String key, int fallback, int min, int max) {
    String v = raw(key);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below, with what is allowed
    }
    bad(key, v, "a whole number from " + min + " to " + max);
    return fallback;
  }

  /** A decimal number strictly above {@code above} and at most {@code max}. */
  public double number(String key, double fallback, double above, double max, String example) {
    String v = raw(key);
    if (v == null) {
      return fallback;
    }
    try {
      double d = Double.parseDouble(v);
      if (d > above && d <= max) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below, with what is allowed
    }
    bad(key, v, "a number above " + above + " and at most " + max + ", such as " + example);
    return fallback;
  }

  /**
   * A duration such as {@code 30s}, {@code 500ms}, {@code 2m} or {@code 0}, in nanoseconds, at most
   * {@code maxSeconds}.
   */
  public long duration(String key, long fallbackNanos, long maxSeconds) {
    String v = raw(key);
    if (v == null) {
      return fallbackNanos;
    }
    long nanos = parseDuration(v);
    if (nanos < 0 || nanos > maxSeconds * 1_000_000_000L) {
      bad(
          key,
          v,
          "a duration from 0 to " + maxSeconds + "s written like 500ms, 30s or 2m (0 = off)");
      return fallbackNanos;
    }
    return nanos;
  }

  private static long parseDuration(String v) {
    String s = v.toLowerCase(java.util.Locale.ROOT);
    long unit;
    String digits;
    if (s.equals("0")) {
      return 0;
    } else if (s.endsWith("ms")) {
      unit = 1_000_000L;
      digits = s.substring(0, s.length() - 2);
    } else if (s.endsWith("s")) {
      unit = 1_000_000_000L;
      digits = s.substring(0, s.length() - 1);
    } else if (s.endsWith("m")) {
      unit = 60_000_000_000L;
      digits = s.substring(0, s.length() - 1);
    } else {
      return -1;
    }
    if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Long.parseLong(digits) * unit;
  }

  private void bad(String key, String value, String allowed) {
    problems.add(
        "Option "
            + key
            + " of algorithm "
            + algorithm
            + " is '"
            + value
            + "'; it must be "
            + allowed
            + ".");
  }
}
