package dev.tether.session.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A throw-away three-master Redis Cluster on random loopback ports. */
final class LocalRedisCluster implements AutoCloseable {

  private final List<Process> servers = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();

  private LocalRedisCluster() {}

  /** Starts three masters in {@code dir} and joins them into one cluster. */
  static LocalRedisCluster start(Path dir) throws IOException, InterruptedException {
    RedisBinaries.require();
    LocalRedisCluster cluster = new LocalRedisCluster();
    try {
      for (int i = 0; i < 3; i++) {
        int port = RedisBinaries.freePort();
        int bus = RedisBinaries.freePort();
        cluster.ports.add(port);
        cluster.servers.add(
            RedisBinaries.server(
                dir,
                port,
                List.of(
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "127.0.0.1",
                    "--cluster-enabled",
                    "yes",
                    "--cluster-port",
                    Integer.toString(bus),
                    "--cluster-config-file",
                    "nodes-" + port + ".conf",
                    "--dir",
                    dir.toString(),
                    "--save",
                    "",
                    "--appendonly",
                    "no")));
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      cluster.ports.forEach(p -> create.add("127.0.0.1:" + p));
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      String out = RedisBinaries.run(create);
      if (!out.contains("[OK] All 16384 slots covered")) {
        throw new IllegalStateException("redis-cli --cluster create failed: " + out);
      }
      for (int port : cluster.ports) {
        await("cluster state ok on " + port)
            .atMost(Duration.ofSeconds(30))
            .until(() -> RedisBinaries.cli(port, "cluster", "info").contains("cluster_state:ok"));
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
    RedisBinaries.stop(servers);
  }
}
