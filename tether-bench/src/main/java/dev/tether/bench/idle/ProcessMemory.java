package dev.tether.bench.idle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads another process's memory and open descriptors from Linux's {@code /proc}: the resident set
 * ({@code VmRSS} of {@code /proc/PID/status}), the number of open file descriptors, and which
 * process listens on a TCP port ({@code /proc/net/tcp*} inode, then {@code /proc/*&#47;fd}).
 */
final class ProcessMemory {

  private final Path proc;

  ProcessMemory(Path proc) {
    this.proc = proc;
  }

  /** {@code /proc} of this machine. */
  static ProcessMemory system() {
    return new ProcessMemory(Path.of("/proc"));
  }

  /** The resident set size of {@code pid} in KiB. */
  long rssKiB(long pid) {
    Path status = proc.resolve(Long.toString(pid)).resolve("status");
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          return parseKiB(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + status + ": " + e.getMessage(), e);
    }
    throw new IllegalStateException(status + " has no VmRSS line");
  }

  /** Parses {@code VmRSS: 12345 kB}. */
  static long parseKiB(String line) {
    String[] parts = line.substring(line.indexOf(':') + 1).strip().split("\\s+");
    if (parts.length != 2 || !parts[1].equals("kB")) {
      throw new IllegalStateException("unexpected /proc status line '" + line + "'");
    }
    return Long.parseLong(parts[0]);
  }

  /** Open file descriptors of {@code pid}. */
  int openFiles(long pid) {
    Path fd = proc.resolve(Long.toString(pid)).resolve("fd");
    int n = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(fd)) {
      for (Path ignored : ds) {
        n++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + fd + ": " + e.getMessage(), e);
    }
    return n;
  }

  /** Whether {@code pid} is a process whose status this user can read. */
  boolean readable(long pid) {
    return Files.isReadable(proc.resolve(Long.toString(pid)).resolve("status"));
  }

  /**
   * The process of this user that listens on TCP {@code port}, or {@code null} when none is found
   * (another user's process cannot be seen).
   */
  Long listenerOf(int port) {
    String inode = listeningInode(port);
    if (inode == null) {
      return null;
    }
    String link = "socket:[" + inode + "]";
    try (DirectoryStream<Path> procs =
        Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path p : procs) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(p.resolve("fd"))) {
          for (Path fd : fds) {
            if (link.equals(Files.readSymbolicLink(fd).toString())) {
              return Long.parseLong(p.getFileName().toString());
            }
          }
        } catch (IOException | SecurityException e) {
          // not ours, or gone meanwhile: not the listener we can measure
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + proc + ": " + e.getMessage(), e);
    }
    return null;
  }

  private String listeningInode(int port) {
    String hexPort = String.format(Locale.ROOT, ":%04X", port);
    for (String table : List.of("net/tcp", "net/tcp6")) {
      Path file = proc.resolve(table);
      if (!Files.isReadable(file)) {
        continue;
      }
      try {
        for (String line : Files.readAllLines(file)) {
          String[] f = line.strip().split("\\s+");
          // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode; 0A = LISTEN
          if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
            return f[9];
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    return null;
  }
}
