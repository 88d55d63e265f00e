package dev.tether.proxy.analytics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser of the Prometheus text exposition format (version 0.0.4, and the sample lines of
 * OpenMetrics), enough to read an app instance's {@code /tether/metrics}: comment and blank lines
 * are skipped, every sample line gives a name, its labels (with {@code \\}, {@code \"} and {@code
 * \n} escapes) and a value ({@code NaN}, {@code +Inf} and {@code -Inf} included); a trailing
 * timestamp or exemplar is ignored.
 *
 * <pre>{@code
 * List<PrometheusText.Sample> s = PrometheusText.parse("tether_sessions_active 3\n");
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class PrometheusText {

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {
    public Sample {
      labels = Map.copyOf(labels);
    }
  }

  private PrometheusText() {}

  /**
   * The samples of {@code text}, in order.
   *
   * @throws IllegalArgumentException naming the line, when a sample line is malformed
   */
  public static List<Sample> parse(String text) {
    List<Sample> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      try {
        out.add(parseLine(l));
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        throw new IllegalArgumentException(
            "line " + lineNo + ": " + e.getMessage() + ": " + abbreviate(l), e);
      }
    }
    return out;
  }

  private static Sample parseLine(String l) {
    int i = 0;
    while (i < l.length() && isNameChar(l.charAt(i), i == 0)) {
      i++;
    }
    if (i == 0) {
      throw new IllegalArgumentException("a sample must start with a metric name");
    }
    String name = l.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < l.length() && l.charAt(i) == '{') {
      i = parseLabels(l, i + 1, labels);
    }
    String rest = l.substring(i).strip();
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("metric " + name + " has no value");
    }
    int space = rest.indexOf(' ');
    String value = space < 0 ? rest : rest.substring(0, space);
    return new Sample(name, labels, parseValue(value));
  }

  private static int parseLabels(String l, int i, Map<String, String> labels) {
    while (true) {
      while (l.charAt(i) == ' ' || l.charAt(i) == ',') {
        i++;
      }
      if (l.charAt(i) == '}') {
        return i + 1;
      }
      int start = i;
      while (isNameChar(l.charAt(i), i == start)) {
        i++;
      }
      if (i == start) {
        throw new IllegalArgumentException("bad label name at column " + (i + 1));
      }
      String key = l.substring(start, i);
      while (l.charAt(i) == ' ') {
        i++;
      }
      if (l.charAt(i) != '=' || l.charAt(i + 1) != '"') {
        throw new IllegalArgumentException("label " + key + " needs =\"value\"");
      }
      i += 2;
      StringBuilder v = new StringBuilder();
      for (char c = l.charAt(i); c != '"'; c = l.charAt(i)) {
        if (c == '\\') {
          char n = l.charAt(++i);
          v.append(n == 'n' ? '\n' : n);
        } else {
          v.append(c);
        }
        i++;
      }
      labels.put(key, v.toString());
      i++;
    }
  }

  private static double parseValue(String v) {
    return switch (v) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(v);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + v + "' is not a number");
        }
      }
    };
  }

  private static boolean isNameChar(char c, boolean first) {
    return c == '_'
        || c == ':'
        || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (!first && c >= '0' && c <= '9');
  }

  private static String abbreviate(String l) {
    return l.length() <= 80 ? l : l.substring(0, 77) + "...";
  }
}
