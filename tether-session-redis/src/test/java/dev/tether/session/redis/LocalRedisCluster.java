package dev.tether.session.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away three-master Redis Cluster on loopback ports picked at random, started from the
 * {@code redis-server} and {@code redis-cli} binaries on the path. Missing binaries skip the test,
 * or fail it when {@code TETHER_REQUIRE_SERVICES=true}.
 */
final class LocalRedisCluster implements AutoCloseable {

  private final List<Process> servers = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();

  private LocalRedisCluster() {}

  /** Starts three masters in {@code dir} and joins them into one cluster. */
  static LocalRedisCluster start(Path dir) throws IOException, InterruptedException {
    requireBinary("redis-server");
    requireBinary("redis-cli");
    LocalRedisCluster cluster = new LocalRedisCluster();
    try {
      for (int i = 0; i < 3; i++) {
        int port = freePort();
        int bus = freePort();
        Process p =
            new ProcessBuilder(
                    "redis-server",
                    "--port", Integer.toString(port),
                    "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes",
                    "--cluster-port", Integer.toString(bus),
                    "--cluster-config-file", "nodes-" + port + ".conf",
                    "--dir", dir.toString(),
                    "--save", "",
                    "--appendonly", "no")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis-" + port + ".log").toFile())
                .start();
        cluster.servers.add(p);
        cluster.ports.add(port);
      }
      for (int port : cluster.ports) {
        await("redis on port " + port)
            .atMost(Duration.ofSeconds(20))
            .until(() -> cli(port, "ping").strip().equals("PONG"));
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      cluster.ports.forEach(p -> create.add("127.0.0.1:" + p));
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      String out = run(create);
      if (!out.contains("[OK] All 16384 slots covered")) {
        throw new IllegalStateException("redis-cli --cluster create failed: " + out);
      }
      for (int port : cluster.ports) {
        await("cluster state ok on " + port)
            .atMost(Duration.ofSeconds(30))
            .until(() -> cli(port, "cluster", "info").contains("cluster_state:ok"));
      }
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Seed URIs of all nodes. */
  List<String> uris() {
    return ports.stream().map(p -> "redis://127.0.0.1:" + p).toList();
  }

  @Override
  public void close() {
    for (Process p : servers) {
      p.destroy();
    }
    for (Process p : servers) {
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

  private static String cli(int port, String... command) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
    args.addAll(List.of(command));
    return run(args);
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command + " did not finish in 30 s");
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void requireBinary(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(File.pathSeparator)) {
      if (new File(d, name).canExecute()) {
        return;
      }
    }
    if ("true".equals(System.getenv("TETHER_REQUIRE_SERVICES"))) {
      fail(name + " is not on the PATH but TETHER_REQUIRE_SERVICES=true (install redis-server)");
    }
    Assumptions.assumeTrue(false, name + " is not on the PATH: Redis Cluster tests skipped");
  }
}
