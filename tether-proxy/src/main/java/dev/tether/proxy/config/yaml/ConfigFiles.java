package dev.tether.proxy.config.yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The check every file the configuration names (or is) passes before anything reads it: it must be
 * a regular file (a symbolic link to one is fine) no larger than a bound. Reading whatever a path
 * names would let {@code /dev/zero}, {@code /dev/stdin} or a FIFO hang {@code tether check} and a
 * reload, and a huge file fill the heap; the check itself never blocks on such a path (it reads
 * only the file's attributes).
 */
public final class ConfigFiles {

  /** The largest certificate, key, CA, OCSP or JWKS file accepted: 1 MiB. */
  public static final long MAX_REFERENCED_FILE = 1L << 20;

  /**
   * The largest configuration file accepted: 4 MiB, since the YAML reader takes at most 1 Mi
   * characters, which are at most 4 bytes each in UTF-8.
   */
  public static final long MAX_CONFIG_FILE = 4L << 20;

  private ConfigFiles() {}

  /**
   * What is wrong with {@code file} as a file to read whole, or {@code null} when nothing is.
   *
   * @param what what the file should be, for the message, e.g. {@code a PEM file}
   */
  static String problem(Path file, long maxBytes, String what) {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class); // follows links
    } catch (NoSuchFileException e) {
      return file + " does not exist; give " + what;
    } catch (IOException | SecurityException e) {
      return file + " cannot be read (" + e + "); give " + what;
    }
    if (!a.isRegularFile()) {
      return file
          + " is "
          + kind(file, a)
          + ", not a regular file; give "
          + what
          + " (a regular file of at most "
          + human(maxBytes)
          + ")";
    }
    if (a.size() > maxBytes) {
      return file
          + " is "
          + human(a.size())
          + " ("
          + a.size()
          + " bytes); at most "
          + human(maxBytes)
          + " is allowed for "
          + what;
    }
    if (!Files.isReadable(file)) {
      return file + " is not readable by this process; give " + what + " it may read";
    }
    return null;
  }

  private static String kind(Path file, BasicFileAttributes a) {
    if (a.isDirectory()) {
      return "a directory";
    }
    // not regular, not a directory: a device, FIFO or socket; say which when the system tells
    try {
      Object mode = Files.getAttribute(file, "unix:mode", new LinkOption[0]);
      if (mode instanceof Integer m) {
        return switch (m & 0170000) {
          case 0010000 -> "a FIFO (named pipe)";
          case 0020000 -> "a character device";
          case 0060000 -> "a block device";
          case 0140000 -> "a socket";
          default -> "a special file";
        };
      }
    } catch (IOException
        | UnsupportedOperationException
        | IllegalArgumentException
        | SecurityException e) {
      // no unix view: the generic word below
    }
    return "a special file";
  }

  static String human(long bytes) {
    if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + " MiB";
    }
    if (bytes >= (1L << 20)) {
      return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
    if (bytes >= 1024) {
      return String.format(java.util.Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return bytes + " bytes";
  }
}
