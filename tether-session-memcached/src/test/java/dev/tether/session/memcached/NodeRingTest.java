package dev.tether.session.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Placement on the ring: deterministic, order-independent, balanced, every node once. */
class NodeRingTest {

  private static final List<InetSocketAddress> THREE =
      List.of(node(11211), node(11212), node(11213));

  @Test
  void everyKeyHasEveryNodeOnceWithADistinctBackup() {
    NodeRing ring = new NodeRing(THREE);
    for (int i = 0; i < 1000; i++) {
      int[] order = ring.order("s:" + i);
      assertThat(order).hasSize(3).doesNotHaveDuplicates();
    }
  }

  @Test
  void placementDoesNotDependOnTheConfiguredOrder() {
    NodeRing a = new NodeRing(THREE);
    NodeRing b = new NodeRing(List.of(node(11213), node(11211), node(11212)));
    for (int i = 0; i < 1000; i++) {
      String key = "s:" + i;
      assertThat(names(b, b.order(key))).isEqualTo(names(a, a.order(key)));
    }
  }

  @Test
  void primariesAreSpreadEvenly() {
    // 160 points per node: each node's share of 30,000 keys stays within 1/3 +- 0.07 (Ketama
    // rings with this many points keep the deviation of a node's share to a few percent).
    NodeRing ring = new NodeRing(THREE);
    int[] primaries = new int[3];
    for (int i = 0; i < 30_000; i++) {
      primaries[ring.order("tether:session:s:" + i)[0]]++;
    }
    for (int n : primaries) {
      assertThat(n / 30_000.0).isBetween(0.333 - 0.07, 0.333 + 0.07);
    }
  }

  @Test
  void removingANodeMovesOnlyItsKeys() {
    NodeRing three = new NodeRing(THREE);
    NodeRing two = new NodeRing(List.of(node(11211), node(11212)));
    for (int i = 0; i < 1000; i++) {
      String key = "k" + i;
      String primary = NodeRing.name(three.nodes().get(three.order(key)[0]));
      if (!primary.endsWith(":11213")) {
        assertThat(NodeRing.name(two.nodes().get(two.order(key)[0]))).isEqualTo(primary);
      }
    }
  }

  private static List<String> names(NodeRing ring, int[] order) {
    List<String> out = new ArrayList<>();
    for (int i : order) {
      out.add(NodeRing.name(ring.nodes().get(i)));
    }
    return out;
  }

  private static InetSocketAddress node(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }
}
