package dev.tether.bench.idle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Asks a JVM for a full garbage collection with the JDK's {@code jcmd PID GC.run}, so that a memory
 * reading sees the live set rather than garbage of the moment (and a heap that G1 may have grown to
 * hold it). Uses the {@code jcmd} next to this process's {@code java}.
 */
final class RemoteGc {

  private final Path jcmd;

  private RemoteGc(Path jcmd) {
    this.jcmd = jcmd;
  }

  /**
   * The {@code jcmd} of the running JDK, or an {@link IllegalArgumentException} saying it is
   * missing.
   */
  static RemoteGc ofRunningJdk() {
    Path java = ProcessHandle.current().info().command().map(Path::of).orElse(null);
    Path found = java == null ? null : java.resolveSibling("jcmd");
    if (found == null || !Files.isExecutable(found)) {
      throw new IllegalArgumentException(
          "--gc needs jcmd next to " + java + "; run with a full JDK or leave out --gc");
    }
    return new RemoteGc(found);
  }

  /** Runs {@code jcmd pid GC.run} and waits for it (at most 60 s). */
  void collect(long pid) throws InterruptedException {
    try {
      Process p =
          new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("jcmd " + pid + " GC.run did not finish within 60 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "jcmd "
                + pid
                + " GC.run failed (exit "
                + p.exitValue()
                + "); is the process a JVM of this user?");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + jcmd + ": " + e.getMessage(), e);
    }
  }
}
