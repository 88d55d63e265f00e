package dev.tether.app;

import dev.tether.proxy.config.ConfigException;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.config.yaml.ConfigLoader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads a configuration file for a command, printing problems the way people read them. */
final class ConfigFiles {

  private ConfigFiles() {}

  /** The loaded configuration, or {@code null} after printing why it could not be loaded. */
  static TetherConfig load(Path file, PrintStream err) {
    try {
      return loadOrThrow(file);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return null;
    }
  }

  /**
   * The loaded configuration.
   *
   * @throws IllegalArgumentException saying why it could not be loaded, one problem per line
   */
  static TetherConfig loadOrThrow(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          file + ": no such file (give the configuration with --config FILE)");
    }
    try {
      return ConfigLoader.load(file);
    } catch (ConfigException e) {
      StringBuilder sb =
          new StringBuilder()
              .append(file)
              .append(": ")
              .append(e.problems().size())
              .append(" problem")
              .append(e.problems().size() == 1 ? "" : "s")
              .append(':');
      e.problems().forEach(p -> sb.append("\n  ").append(p));
      throw new IllegalArgumentException(sb.toString(), e);
    }
  }
}
