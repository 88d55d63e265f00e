package dev.tether.bench.load.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code --chaos "at=10s kill s2; at=20s drain s3; at=30s start s2; at=40s add s4"}. Actions
 * are separated by {@code ;}; each is {@code at=TIME VERB [NAME]} with TIME like {@code 10s},
 * {@code 1500ms}, {@code 2m} or {@code 1.5s}. {@code kill-serving} (the instance serving most
 * users) and {@code start-killed} (the instance killed last) take no name; {@code add} takes {@code
 * NAME} (a new demo instance) or {@code NAME=HOST:PORT} (an existing server).
 */
public final class ChaosSchedule {

  private static final Pattern TIME = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.:\\[\\]-]+:\\d{1,5}");
  private static final String VERBS =
      String.join(
          ", ", Arrays.stream(ChaosAction.Verb.values()).map(ChaosAction.Verb::word).toList());

  private ChaosSchedule() {}

  /**
   * The actions of {@code spec} in time order; an empty or blank spec is no action.
   *
   * @throws IllegalArgumentException naming the action, what is wrong and what is allowed
   */
  public static List<ChaosAction> parse(String spec) {
    List<ChaosAction> out = new ArrayList<>();
    if (spec == null || spec.isBlank()) {
      return out;
    }
    String[] parts = spec.split(";");
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i].strip();
      if (part.isEmpty()) {
        continue;
      }
      out.add(action(part, i + 1));
    }
    out.sort(Comparator.comparing(ChaosAction::at));
    return out;
  }

  private static ChaosAction action(String text, int n) {
    String[] words = text.split("\\s+");
    String where = "--chaos action " + n + " '" + text + "': ";
    if (!words[0].startsWith("at=")) {
      throw new IllegalArgumentException(where + "must start with at=TIME, e.g. at=10s kill s2");
    }
    Duration at = time(words[0].substring(3), where);
    if (words.length < 2) {
      throw new IllegalArgumentException(where + "names no action; allowed: " + VERBS);
    }
    ChaosAction.Verb verb =
        Arrays.stream(ChaosAction.Verb.values())
            .filter(v -> v.word().equals(words[1].toLowerCase(Locale.ROOT)))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        where + "unknown action '" + words[1] + "'; allowed: " + VERBS));
    if (verb == ChaosAction.Verb.KILL_SERVING || verb == ChaosAction.Verb.START_KILLED) {
      if (words.length != 2) {
        throw new IllegalArgumentException(
            where
                + verb.word()
                + " takes no name; "
                + (verb == ChaosAction.Verb.KILL_SERVING
                    ? "it picks the instance serving most users"
                    : "it starts the instance killed last"));
      }
      return new ChaosAction(at, verb, null, null);
    }
    if (words.length != 3) {
      throw new IllegalArgumentException(
          where + verb.word() + " needs exactly one name, e.g. at=10s " + verb.word() + " s2");
    }
    String target = words[2];
    String address = null;
    int eq = target.indexOf('=');
    if (eq >= 0) {
      if (verb != ChaosAction.Verb.ADD) {
        throw new IllegalArgumentException(where + "only add takes NAME=HOST:PORT");
      }
      address = target.substring(eq + 1);
      target = target.substring(0, eq);
      if (!ADDRESS.matcher(address).matches()) {
        throw new IllegalArgumentException(where + "'" + address + "' is not HOST:PORT");
      }
    }
    if (!NAME.matcher(target).matches()) {
      throw new IllegalArgumentException(
          where + "'" + target + "' is not a server name; allowed: letters, digits, . _ -");
    }
    return new ChaosAction(at, verb, target, address);
  }

  private static Duration time(String text, String where) {
    Matcher m = TIME.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          where + "time '" + text + "' is not understood; allowed: e.g. 10s, 1500ms, 2m, 1.5s");
    }
    double v = Double.parseDouble(m.group(1));
    double millis =
        switch (m.group(2)) {
          case "ms" -> v;
          case "s" -> v * 1000;
          default -> v * 60_000;
        };
    return Duration.ofMillis(Math.round(millis));
  }

  /** {@code d} as a schedule writes it, e.g. {@code 10s} or {@code 1500ms}. */
  static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }
}
