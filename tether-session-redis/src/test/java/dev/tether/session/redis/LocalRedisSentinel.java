package dev.tether.session.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A throw-away master, one replica and one Sentinel watching them, on random loopback ports. */
final class LocalRedisSentinel implements AutoCloseable {

  static final String MASTER_NAME = "tethermaster";

  private final List<Process> processes = new ArrayList<>();
  private int sentinelPort;
  private int replicaPort;

  private LocalRedisSentinel() {}

  static LocalRedisSentinel start(Path dir) throws IOException {
    RedisBinaries.require();
    LocalRedisSentinel s = new LocalRedisSentinel();
    try {
      int master = RedisBinaries.freePort();
      s.processes.add(RedisBinaries.server(dir, master, plain(master, dir)));
      s.replicaPort = RedisBinaries.freePort();
      List<String> replica = new ArrayList<>(plain(s.replicaPort, dir));
      replica.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(master)));
      s.processes.add(RedisBinaries.server(dir, s.replicaPort, replica));
      await("replica in sync")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  RedisBinaries.cli(s.replicaPort, "info", "replication")
                      .contains("master_link_status:up"));
      s.sentinelPort = RedisBinaries.freePort();
      Path conf = dir.resolve("sentinel-" + s.sentinelPort + ".conf");
      Files.writeString(
          conf,
          String.join(
              "\n",
              "port " + s.sentinelPort,
              "bind 127.0.0.1",
              "dir " + dir,
              "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master + " 1",
              "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
              "sentinel failover-timeout " + MASTER_NAME + " 5000",
              ""));
      s.processes.add(
          RedisBinaries.server(dir, s.sentinelPort, List.of(conf.toString(), "--sentinel")));
      await("sentinel sees the replica")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  RedisBinaries.cli(s.sentinelPort, "sentinel", "replicas", MASTER_NAME)
                      .contains(Integer.toString(s.replicaPort)));
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** The Lettuce URI that finds the master through the Sentinel. */
  String uri() {
    return "redis-sentinel://127.0.0.1:" + sentinelPort + "/0#" + MASTER_NAME;
  }

  /** Forces a failover and waits until the Sentinel names the replica as master. */
  void failover() throws IOException, InterruptedException {
    String out = RedisBinaries.cli(sentinelPort, "sentinel", "failover", MASTER_NAME);
    if (!out.strip().equals("OK")) {
      throw new IllegalStateException("SENTINEL FAILOVER failed: " + out);
    }
    await("replica promoted")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                RedisBinaries.cli(sentinelPort, "sentinel", "get-master-addr-by-name", MASTER_NAME)
                    .contains(Integer.toString(replicaPort)));
  }

  @Override
  public void close() {
    RedisBinaries.stop(processes.reversed());
  }

  private static List<String> plain(int port, Path dir) {
    return List.of(
        "--port", Integer.toString(port),
        "--bind", "127.0.0.1",
        "--dir", dir.toString(),
        "--save", "",
        "--appendonly", "no");
  }
}
