package dev.tether.session.redis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the test's own, on a free loopback port, persisting every write to an
 * append-only file in {@code dir} before acknowledging it ({@code appendfsync always}), so the test
 * may kill it with {@code SIGKILL} and start it again on the same port and data.
 */
final class OwnRedis implements AutoCloseable {

  private final Path dir;
  private final int port;
  private Process process;

  OwnRedis(Path dir) throws IOException {
    RedisBinaries.require();
    this.dir = dir;
    this.port = RedisBinaries.freePort();
  }

  int port() {
    return port;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server (again) and waits until it answers PING. */
  void start() throws IOException {
    process =
        RedisBinaries.server(
            dir,
            port,
            List.of(
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--dir",
                dir.toString()));
  }

  /** {@code kill -9}: no shutdown, no final write. */
  void kill() throws InterruptedException {
    process.destroyForcibly(); // SIGKILL on Linux
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "redis-server on port " + port + " survived SIGKILL for 30 s");
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      RedisBinaries.stop(List.of(process));
    }
  }
}
