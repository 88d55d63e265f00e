package dev.tether.session.dropin;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the drop-in configuration reads a key's value (a switch, a SameSite value, the cookie prefix,
 * a duration), the error that names the key, where it was set and what is allowed, and the nearest
 * known key suggested for an unknown one.
 */
final class DropinValues {

  private static final String DURATIONS = "a duration such as 30m, 90s, 2h, 500ms or PT30M";
  private static final Pattern SHORT_DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

  private DropinValues() {}

  /**
   * A suggestion, {@code "; did you mean 'PREFIX+KEY'?"}, when a candidate is near {@code word}.
   */
  static String nearest(String word, Set<String> candidates, String prefix) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return best != null && bestDistance <= Math.max(2, word.length() / 3)
        ? "; did you mean '" + prefix + best + "'?"
        : "";
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  static String value(DropinConfigLoader.Entry e, String fallback) {
    return e == null ? fallback : e.value().strip();
  }

  static boolean bool(DropinConfigLoader.Entry e, boolean fallback) {
    if (e == null) {
      return fallback;
    }
    return switch (e.value().strip().toLowerCase(Locale.ROOT)) {
      case "true", "on" -> true;
      case "false", "off" -> false;
      default -> throw bad(e, "allowed: on, off, true, false");
    };
  }

  static String sameSite(DropinConfigLoader.Entry e) {
    if (e == null) {
      return "Lax";
    }
    return switch (e.value().strip().toLowerCase(Locale.ROOT)) {
      case "lax" -> "Lax";
      case "strict" -> "Strict";
      default -> throw bad(e, "allowed: Lax, Strict (None is refused for a session cookie)");
    };
  }

  static void hostPrefix(DropinConfigLoader.Entry e, boolean secure) {
    if (e == null) {
      return;
    }
    boolean prefix = bool(e, secure);
    if (prefix && !secure) {
      throw bad(
          e,
          "the __Host- prefix needs cookie.secure=true; allowed with cookie.secure=false: false");
    }
    if (!prefix && secure) {
      throw bad(
          e,
          "a Secure session cookie always carries the __Host- prefix (Path=/, no Domain);"
              + " allowed with cookie.secure=true: true");
    }
  }

  static Duration duration(DropinConfigLoader.Entry e) {
    String v = e.value().strip().toLowerCase(Locale.ROOT);
    Duration d = null;
    Matcher m = SHORT_DURATION.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
    } else if (v.startsWith("p")) {
      try {
        d = Duration.parse(v.toUpperCase(Locale.ROOT));
      } catch (RuntimeException ignored) {
        d = null; // reported below with what is allowed
      }
    }
    if (d == null || d.isZero() || d.isNegative()) {
      throw bad(e, "allowed: " + DURATIONS + ", greater than zero");
    }
    return d;
  }

  static DropinConfigException bad(DropinConfigLoader.Entry e, String why) {
    return new DropinConfigException(
        "tether-session: "
            + e.where()
            + ": key '"
            + e.key()
            + "' is '"
            + e.value().strip()
            + "': "
            + why);
  }
}
