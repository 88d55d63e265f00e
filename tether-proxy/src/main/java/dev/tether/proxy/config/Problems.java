package dev.tether.proxy.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** Collects the errors and warnings of one load, each tied to a place in the file. */
final class Problems {

  private static final Comparator<ConfigProblem> FILE_ORDER =
      Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column);

  private final String source;
  private final List<ConfigProblem> errors = new ArrayList<>();
  private final List<ConfigProblem> warnings = new ArrayList<>();

  Problems(String source) {
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
      return new ConfigProblem(source, 0, 0, path, message);
    }
    return new ConfigProblem(source, mark.getLine() + 1, mark.getColumn() + 1, path, message);
  }
}
