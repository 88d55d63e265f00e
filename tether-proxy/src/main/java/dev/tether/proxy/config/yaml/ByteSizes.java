package dev.tether.proxy.config.yaml;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration's size syntax: bytes as a whole number, optionally followed by {@code k},
 * {@code m} or {@code g} (1024-based): {@code 512}, {@code 16k}, {@code 1m}.
 */
final class ByteSizes {

  static final String HELP =
      "use a number of bytes with an optional k, m or g (1024-based), e.g. 16k";
  private static final Pattern SYNTAX = Pattern.compile("(\\d{1,12})([kKmMgG]?)");

  private ByteSizes() {}

  /**
   * Parses a size in bytes.
   *
   * @throws IllegalArgumentException saying what is wrong and what is allowed
   */
  static long parse(String text) {
    Matcher m = SYNTAX.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a size; " + HELP);
    }
    long n = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2)) {
          case "k", "K" -> 10;
          case "m", "M" -> 20;
          case "g", "G" -> 30;
          default -> 0;
        };
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
    return n << shift;
  }

  /** The shortest exact form, e.g. {@code 16k}, {@code 1m}, {@code 1000}. */
  static String format(long bytes) {
    if (bytes != 0 && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + "g";
    }
    if (bytes != 0 && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "m";
    }
    if (bytes != 0 && bytes % 1024 == 0) {
      return (bytes >> 10) + "k";
    }
    return Long.toString(bytes);
  }
}
