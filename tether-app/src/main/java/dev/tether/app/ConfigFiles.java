package dev.tether.app;

import dev.tether.proxy.config.ConfigException;
import dev.tether.proxy.config.ConfigLoader;
import dev.tether.proxy.config.TetherConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads a configuration file for a command, printing problems the way people read them. */
final class ConfigFiles {

  private ConfigFiles() {}

  /** The loaded configuration, or {@code null} after printing why it could not be loaded. */
  static TetherConfig load(Path file, PrintStream err) {
    if (!Files.isRegularFile(file)) {
      err.println(file + ": no such file (give the configuration with --config FILE)");
      return null;
    }
    try {
      return ConfigLoader.load(file);
    } catch (ConfigException e) {
      err.println(file + ": " + e.problems().size() + " problem" + (e.problems().size() == 1 ? "" : "s") + ":");
      e.problems().forEach(p -> err.println("  " + p));
      return null;
    }
  }
}
