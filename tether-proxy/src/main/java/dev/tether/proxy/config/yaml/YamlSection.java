package dev.tether.proxy.config.yaml;

import dev.tether.proxy.config.Durations;
import dev.tether.proxy.config.HostPort;
import dev.tether.proxy.config.NameRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads one YAML mapping of the configuration with typed getters that never throw: a bad value
 * becomes a problem at its line and the getter returns the default, so that one load reports every
 * error. Every key a getter asks for counts as known; {@link #finish} reports the rest as unknown,
 * with the closest known key as a suggestion.
 *
 * <p>A key whose value is YAML null ({@code key:}, {@code ~}, {@code null}) counts as absent.
 */
final class YamlSection {

  private final ProblemCollector problems;
  private final String path;
  private final Node node;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
  private final Set<String> known = new LinkedHashSet<>();

  private YamlSection(ProblemCollector problems, String path, Node node) {
    this.problems = problems;
    this.path = path;
    this.node = node;
  }

  /** A section over {@code node}; anything but a mapping (or null) is reported and reads empty. */
  static YamlSection of(Node node, String path, ProblemCollector problems) {
    YamlSection s = new YamlSection(problems, path, node);
    if (node instanceof MappingNode mapping) {
      s.collect(mapping);
    } else if (!isNull(node)) {
      problems.error(node, path, "must be a mapping of keys to values, not " + describe(node));
    }
    return s;
  }

  private void collect(MappingNode mapping) {
    for (NodeTuple tuple : mapping.getValue()) {
      Node key = tuple.getKeyNode();
      if (key.getTag().equals(Tag.MERGE)) {
        problems.error(key, pathOf("<<"), "merge keys (<<) are not supported; write the keys out");
      } else if (!(key instanceof ScalarNode scalar)) {
        // YAML writes such a key after '?', so that names it in the path
        problems.error(key, pathOf("?"), "a key must be a plain name, not " + describe(key));
      } else if (entries.containsKey(scalar.getValue())) {
        Node first = entries.get(scalar.getValue()).getKeyNode();
        problems.error(
            key,
            pathOf(scalar.getValue()),
            "duplicate key; it is already set at line " + (first.getStartMark().getLine() + 1));
      } else {
        entries.put(scalar.getValue(), tuple);
      }
    }
  }

  static boolean isNull(Node node) {
    return node == null || (node instanceof ScalarNode && node.getTag().equals(Tag.NULL));
  }

  static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return "'" + ((ScalarNode) node).getValue() + "'";
  }

  String path() {
    return path;
  }

  Node node() {
    return node;
  }

  ProblemCollector problems() {
    return problems;
  }

  /** The path of {@code key} in this section; an empty key is written {@code ''}. */
  String pathOf(String key) {
    String name = key.isEmpty() ? "''" : key;
    return path.isEmpty() ? name : path + "." + name;
  }

  /** Declares {@code key} known and returns its value node, or null when absent or null. */
  Node value(String key) {
    known.add(key);
    NodeTuple t = entries.get(key);
    return t == null || isNull(t.getValueNode()) ? null : t.getValueNode();
  }

  /** Whether {@code key} has a non-null value; declares it known. */
  boolean has(String key) {
    return value(key) != null;
  }

  /** The node of {@code key} itself (for errors about the key), or the section's node. */
  Node keyNode(String key) {
    NodeTuple t = entries.get(key);
    return t == null ? node : t.getKeyNode();
  }

  /** An error about {@code key}'s value (or about the section when it is absent). */
  void error(String key, String message) {
    Node v = value(key);
    problems.error(v != null ? v : node, pathOf(key), message);
  }

  /** An error about the key {@code key} itself, e.g. that it does not belong here. */
  void errorAtKey(String key, String message) {
    problems.error(keyNode(key), pathOf(key), message);
  }

  /** Reports that a required key is missing. */
  void missing(String key, String help) {
    problems.error(node, pathOf(key), "is required; " + help);
  }

  /** Text of a scalar value, or {@code def}. */
  String text(String key, String def) {
    Node v = value(key);
    if (v == null) {
      return def;
    }
    String s = scalar(v, pathOf(key), problems);
    return s == null ? def : s;
  }

  /** Text of a scalar list item or value, or null (reported) when it is a list or mapping. */
  static String scalar(Node v, String path, ProblemCollector problems) {
    if (v instanceof ScalarNode s) {
      return s.getValue();
    }
    problems.error(v, path, "must be a single value, not " + describe(v));
    return null;
  }

  /** A whole number in {@code min..max}, or {@code def}. */
  int integer(String key, int def, int min, int max) {
    String s = text(key, null);
    if (s == null) {
      return def;
    }
    if (!s.matches("[+-]?\\d{1,10}")) {
      error(key, "'" + s + "' is not a whole number; use " + min + ".." + max);
      return def;
    }
    long n = Long.parseLong(s);
    if (n < min || n > max) {
      error(key, n + " is out of range; use " + min + ".." + max);
      return def;
    }
    return (int) n;
  }

  /** A decimal number, or {@code null} when absent or invalid (reported). */
  Double decimal(String key) {
    String s = text(key, null);
    if (s == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(s);
      if (Double.isFinite(d) && s.matches("[+-]?[0-9.eE+-]+")) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below, with the allowed form
    }
    error(key, "'" + s + "' is not a number; use a decimal number, e.g. 1.25");
    return null;
  }

  /** A size in bytes in {@code min..max}, or {@code def}. */
  int size(String key, int def, int min, int max) {
    String s = text(key, null);
    if (s == null) {
      return def;
    }
    try {
      long n = ByteSizes.parse(s);
      if (n >= min && n <= max) {
        return (int) n;
      }
      error(
          key,
          "'"
              + s
              + "' is out of range; use "
              + ByteSizes.format(min)
              + ".."
              + ByteSizes.format(max));
    } catch (IllegalArgumentException e) {
      error(key, e.getMessage());
    }
    return def;
  }

  /** A whole percentage {@code min..100} written as {@code N%}, or {@code def}. */
  int percent(String key, int def, int min) {
    String text = text(key, null);
    if (text == null) {
      return def;
    }
    String allowed = "use " + min + "%..100%, e.g. 50%";
    if (!text.matches("\\d{1,3}%")) {
      error(key, "'" + text + "' is not a percentage; " + allowed);
      return def;
    }
    int n = Integer.parseInt(text.substring(0, text.length() - 1));
    if (n < min || n > 100) {
      error(key, text + " is out of range; " + allowed);
      return def;
    }
    return n;
  }

  /** A duration of at least {@code min}, or {@code def} (which may be null). */
  Duration duration(String key, Duration def, Duration min) {
    String s = text(key, null);
    if (s == null) {
      return def;
    }
    try {
      Duration d = Durations.parse(s);
      if (d.compareTo(min) >= 0) {
        return d;
      }
      error(
          key,
          min.isZero()
              ? "must not be negative"
              : "'"
                  + s
                  + "' is too short; use at least "
                  + Durations.format(min)
                  + ", e.g. "
                  + (def != null ? Durations.format(def) : "1s"));
    } catch (IllegalArgumentException e) {
      error(key, e.getMessage());
    }
    return def;
  }

  /** {@code true} or {@code false}, or {@code def}. */
  boolean bool(String key, boolean def) {
    String s = text(key, null);
    if (s == null) {
      return def;
    }
    return switch (s) {
      case "true" -> true;
      case "false" -> false;
      default -> {
        error(key, "'" + s + "' is not a boolean; use true or false");
        yield def;
      }
    };
  }

  /** One of {@code type}'s constants by its {@link NameRules#configName}, or {@code def}. */
  <E extends Enum<E>> E choice(String key, Class<E> type, E def) {
    String s = text(key, null);
    if (s == null) {
      return def;
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      String name = NameRules.configName(e);
      if (name.equals(s) || name.equals(s.replace('_', '-'))) {
        return e;
      }
      names.add(name);
    }
    error(
        key,
        "'"
            + s
            + "' is not allowed; use "
            + String.join(", ", names.subList(0, names.size() - 1))
            + " or "
            + names.getLast());
    return def;
  }

  /** An address, or null when absent or invalid (reported). */
  HostPort hostPort(String key) {
    String s = text(key, null);
    if (s == null) {
      return null;
    }
    try {
      return HostPort.parse(s);
    } catch (IllegalArgumentException e) {
      error(key, e.getMessage());
      return null;
    }
  }

  /** The sub-section {@code key}; empty (at this section's node) when absent. */
  YamlSection section(String key) {
    Node v = value(key);
    return v == null
        ? new YamlSection(problems, pathOf(key), keyNode(key))
        : of(v, pathOf(key), problems);
  }

  /** The items of list {@code key}; empty when absent or not a list (reported). */
  List<Node> list(String key) {
    Node v = value(key);
    if (v == null) {
      return List.of();
    }
    if (v instanceof SequenceNode seq) {
      return seq.getValue();
    }
    error(key, "must be a list (- item lines or [a, b]), not " + describe(v));
    return List.of();
  }

  /** Keys present in the file, in file order. */
  Set<String> presentKeys() {
    return entries.keySet();
  }

  /** Reports every key that no getter asked for, suggesting the closest known key. */
  void finish() {
    for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
      if (known.contains(e.getKey())) {
        continue;
      }
      String suggestion =
          KeySuggester.closest(e.getKey(), known).map(k -> "did you mean `" + k + "`? ").orElse("");
      problems.error(
          e.getValue().getKeyNode(),
          pathOf(e.getKey()),
          "unknown key; " + suggestion + "allowed here: " + String.join(", ", known));
    }
  }
}
