package dev.tether.proxy.admin;

/**
 * Re-reads the configuration from where it came from and applies it; what {@code POST /api/reload}
 * runs.
 */
@FunctionalInterface
public interface Reloader {

  /** Says a reload is not possible (the configuration did not come from a file). */
  Reloader UNAVAILABLE =
      () -> {
        throw new UnsupportedOperationException(
            "this configuration did not come from a file, so it cannot be re-read");
      };

  /**
   * Reloads; returns normally when the new configuration is in force.
   *
   * @throws IllegalArgumentException with every problem (file:line:col) when the file is invalid;
   *     the running configuration stays
   */
  void reload();
}
