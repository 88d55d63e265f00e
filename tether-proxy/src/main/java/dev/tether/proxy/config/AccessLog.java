package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * The {@code access-log} section.
 *
 * @param enabled whether each request is logged ({@code enabled}, default true)
 * @param format the line format ({@code format: plain | json}, default plain)
 */
public record AccessLog(boolean enabled, Format format) {

  /** Every default. */
  public static final AccessLog DEFAULTS = new AccessLog(true, Format.PLAIN);

  /** An access log line format. */
  public enum Format {
    /** One human-readable line per request. */
    PLAIN,
    /** One JSON object per line. */
    JSON
  }

  public AccessLog {
    requireNonNull(format, "format");
  }
}
