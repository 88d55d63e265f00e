package dev.tether.proxy.config.yaml;

import dev.tether.proxy.config.ConfigProblem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** Collects the errors and warnings of one load, each tied to a place in the file. */
final class ProblemCollector {

  private static final Comparator<ConfigProblem> FILE_ORDER =
      Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column);

  private final String source;
  private final List<ConfigProblem> errors = new ArrayList<>();
  private final List<ConfigProblem> warnings = new ArrayList<>();

  ProblemCollector(String source) {
    this.source = source;
  }

  String source() {
    return source;
  }

  /** An error at {@code node}. */
  void error(Node node, String path, String message) {
    errors.add(at(node.getStartMark(), path, message));
  }

  /** An error at {@code mark}, or at the whole file when {@code mark} is null. */
  void error(Mark mark, String path, String message) {
    errors.add(at(mark, path, message));
  }

  /** A warning at {@code node}: the configuration works, but deserves attention. */
  void warning(Node node, String path, String message) {
    warnings.add(at(node.getStartMark(), path, message));
  }

  /** Errors found so far. */
  int errorCount() {
    return errors.size();
  }

  boolean hasErrors() {
    return !errors.isEmpty();
  }

  /** Errors in file order. */
  List<ConfigProblem> errors() {
    return errors.stream().sorted(FILE_ORDER).toList();
  }

  /** Warnings in file order. */
  List<ConfigProblem> warnings() {
    return warnings.stream().sorted(FILE_ORDER).toList();
  }

  private ConfigProblem at(Mark mark, String path, String message) {
    if (mark == null) {
      return new ConfigProblem(source, 0, 0, printable(path), printable(message));
    }
    return new ConfigProblem(
        source, mark.getLine() + 1, mark.getColumn() + 1, printable(path), printable(message));
  }

  /**
   * {@code text} with every character that would not print as itself escaped as in Java source
   * (tab, newline and carriage return as backslash-t, -n, -r; others as backslash-u and four hex
   * digits): controls, format characters (bidi overrides, zero-width ones), line and paragraph
   * separators and unpaired surrogates. Messages echo keys and values from the file; escaped, a
   * problem stays one line of visible text in a terminal or a log, and shows the character that is
   * wrong.
   */
  static String printable(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1));
      if (paired) {
        if (out != null) {
          out.append(c).append(text.charAt(i + 1));
        }
        i++;
        continue;
      }
      int type = Character.getType(c);
      boolean escape =
          Character.isISOControl(c)
              || type == Character.FORMAT
              || type == Character.SURROGATE
              || type == Character.LINE_SEPARATOR
              || type == Character.PARAGRAPH_SEPARATOR;
      if (escape && out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (out == null) {
        continue;
      }
      if (!escape) {
        out.append(c);
      } else if (c == '\t') {
        out.append("\\t");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else {
        out.append(String.format("\\u%04X", (int) c));
      }
    }
    return out == null ? text : out.toString();
  }
}
