package dev.tether.session.memcached;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * A Memcached process this test owns, on a loopback port it picked free, so a test can kill and
 * restart it while the shared nodes stay up. Needs Debian's {@code memcached} on the PATH.
 */
final class LocalMemcached implements AutoCloseable {

  private final int port;
  private Process process;

  LocalMemcached(int port) {
    this.port = port;
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", port);
  }

  /** Starts the process and waits until it accepts connections. */
  LocalMemcached start() throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(
            "memcached",
            "-l",
            "127.0.0.1",
            "-p",
            Integer.toString(port),
            "-U",
            "0",
            "-m",
            "32",
            "-u",
            user());
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    process = pb.start();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(this::accepts);
    return this;
  }

  /** Kills the process (SIGKILL: no goodbye to clients) and waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  private boolean accepts() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "memcached on port " + port + " exited with " + process.exitValue());
    }
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String user() {
    return "root".equals(System.getProperty("user.name"))
        ? "memcache"
        : System.getProperty("user.name");
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      kill();
    }
  }
}
