package dev.tether.proxy.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration that cannot be used, with every problem found in it (never empty). */
public final class ConfigException extends Exception {

  private final transient List<ConfigProblem> problems;

  /** Creates the exception; {@code problems} must not be empty. */
  public ConfigException(List<ConfigProblem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem, in file order. */
  public List<ConfigProblem> problems() {
    return problems;
  }

  /** All problems, one per line, each as {@code file:line:col: path: message}. */
  @Override
  public String getMessage() {
    return problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
  }
}
