package dev.tether.session.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Starts and talks to throw-away {@code redis-server} processes on random loopback ports. Missing
 * binaries skip the test, or fail it when {@code TETHER_REQUIRE_SERVICES=true}.
 */
final class RedisBinaries {

  private RedisBinaries() {}

  /** Skips (or, in CI, fails) unless redis-server and redis-cli are on the path. */
  static void require() {
    for (String name : List.of("redis-server", "redis-cli")) {
      if (!onPath(name)) {
        if ("true".equals(System.getenv("TETHER_REQUIRE_SERVICES"))) {
          fail(name + " is not on the PATH but TETHER_REQUIRE_SERVICES=true (install redis)");
        }
        Assumptions.assumeTrue(false, name + " is not on the PATH: test skipped");
      }
    }
  }

  /** Starts {@code redis-server} with {@code args}, logging to {@code dir}; waits for PING. */
  static Process server(Path dir, int port, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of("redis-server"));
    command.addAll(args);
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis-" + port + ".log").toFile())
            .start();
    await("redis on port " + port)
        .atMost(Duration.ofSeconds(20))
        .until(() -> cli(port, "ping").strip().equals("PONG"));
    return p;
  }

  /** Runs {@code redis-cli -p port command…} and returns its output. */
  static String cli(int port, String... command) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
    args.addAll(List.of(command));
    return run(args);
  }

  /** Runs a command to its end (30 s at most) and returns stdout and stderr. */
  static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command + " did not finish in 30 s");
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /** A loopback port that was free a moment ago. */
  static int freePort() throws IOException {
    return dev.tether.testing.net.FreePorts.loopback(1).getFirst();
  }

  /** Stops the processes, forcibly after 10 s. */
  static void stop(List<Process> processes) {
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }

  private static boolean onPath(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(d, name).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
