package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code access-log} section.
 *
 * @param enabled whether each request is logged ({@code enabled}, default true)
 * @param format the line format ({@code format: plain | json}, default plain)
 * @param path the file lines are appended to ({@code path}, relative to the configuration file's
 *     directory), or {@code null} for standard output (the default)
 * @param buffer bytes each event loop gathers before handing them to the writer ({@code buffer},
 *     default 64k)
 * @param flush the longest a line waits in an event loop's buffer ({@code flush}, default 1s)
 */
public record AccessLog(boolean enabled, Format format, Path path, int buffer, Duration flush) {

  /** The default {@code buffer}: 64 KiB. */
  public static final int DEFAULT_BUFFER = 64 * 1024;

  /** The default {@code flush}: one second. */
  public static final Duration DEFAULT_FLUSH = Duration.ofSeconds(1);

  /** Every default. */
  public static final AccessLog DEFAULTS = new AccessLog(true, Format.PLAIN);

  /** An access log line format. */
  public enum Format {
    /** One human-readable line per request. */
    PLAIN,
    /** One JSON object per line. */
    JSON
  }

  /** An access log to standard output with the default buffer and flush interval. */
  public AccessLog(boolean enabled, Format format) {
    this(enabled, format, null, DEFAULT_BUFFER, DEFAULT_FLUSH);
  }

  public AccessLog {
    requireNonNull(format, "format");
    requireNonNull(flush, "flush");
    if (buffer < 1) {
      throw new IllegalArgumentException("buffer must be positive, not " + buffer);
    }
    if (flush.isNegative() || flush.isZero()) {
      throw new IllegalArgumentException("flush must be positive, not " + flush);
    }
  }
}
