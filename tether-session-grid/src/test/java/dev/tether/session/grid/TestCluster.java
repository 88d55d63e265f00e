package dev.tether.session.grid;

import dev.tether.testing.net.FreePorts;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A grid of members in this JVM on loopback ports chosen free at start, with a unique cluster name
 * so concurrent test runs on one machine never merge.
 */
final class TestCluster implements AutoCloseable {

  private final List<GridMember> members = new ArrayList<>();
  private final List<GridSettings> settings = new ArrayList<>();

  private TestCluster() {}

  static TestCluster start(int size, byte[] key) {
    List<Integer> ports = FreePorts.loopback(size);
    List<InetSocketAddress> all =
        ports.stream().map(p -> new InetSocketAddress("127.0.0.1", p)).toList();
    String name = "tether-test-" + UUID.randomUUID();
    TestCluster c = new TestCluster();
    try {
      for (int port : ports) {
        GridSettings s =
            new GridSettings(
                    name,
                    "127.0.0.1",
                    port,
                    0,
                    all,
                    2,
                    key,
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(15))
                .withInstanceName("s" + (c.members.size() + 1));
        c.settings.add(s);
        c.members.add(GridMember.start(s));
      }
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  GridMember member(int i) {
    return members.get(i);
  }

  GridSettings settings(int i) {
    return settings.get(i);
  }

  int size() {
    return members.size();
  }

  @Override
  public void close() {
    for (int i = members.size() - 1; i >= 0; i--) {
      members.get(i).close();
    }
  }
}
