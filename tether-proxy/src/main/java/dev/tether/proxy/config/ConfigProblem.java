package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong with a configuration file: where it is and what to do about it.
 *
 * @param source the file name as given to the loader
 * @param line 1-based line, or 0 when the problem concerns the whole file
 * @param column 1-based column, or 0 when unknown
 * @param path the key path, e.g. {@code pools.web.servers[1].address}; empty for the whole file
 * @param message what is wrong and what is allowed
 */
public record ConfigProblem(String source, int line, int column, String path, String message) {

  public ConfigProblem {
    requireNonNull(source, "source");
    requireNonNull(path, "path");
    requireNonNull(message, "message");
  }

  /** {@code file:line:col: path: message}, leaving out what is unknown. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(source);
    if (line > 0) {
      sb.append(':').append(line);
      if (column > 0) {
        sb.append(':').append(column);
      }
    }
    sb.append(": ");
    if (!path.isEmpty()) {
      sb.append(path).append(": ");
    }
    return sb.append(message).toString();
  }
}
