package dev.tether.session.memcached;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A consistent-hash ring over the configured nodes (Ketama style: {@value #POINTS} points per node,
 * MD5 of {@code host:port-i}). The order of nodes clockwise from a key's point is its placement:
 * the first node is its primary, the next distinct one its backup, then the fallbacks. The ring
 * depends only on the set of node addresses (sorted first), so every app instance configured with
 * the same nodes, in whatever order, places every key on the same nodes without talking to the
 * others.
 */
final class NodeRing {

  static final int POINTS = 160;

  private final List<InetSocketAddress> nodes;
  private final long[] points;
  private final int[] owners;

  NodeRing(List<InetSocketAddress> configured) {
    if (configured.isEmpty()) {
      throw new IllegalArgumentException("a ring needs at least one node");
    }
    List<InetSocketAddress> sorted = new ArrayList<>(configured);
    sorted.sort(Comparator.comparing(NodeRing::name));
    this.nodes = List.copyOf(sorted);
    long[][] all = new long[nodes.size() * POINTS][];
    int k = 0;
    for (int n = 0; n < nodes.size(); n++) {
      for (int i = 0; i < POINTS; i++) {
        all[k++] = new long[] {hash(name(nodes.get(n)) + "-" + i), n};
      }
    }
    Arrays.sort(all, Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));
    points = new long[all.length];
    owners = new int[all.length];
    for (int i = 0; i < all.length; i++) {
      points[i] = all[i][0];
      owners[i] = (int) all[i][1];
    }
  }

  /** The nodes in ring order (sorted by address); indexes returned by {@link #order} refer here. */
  List<InetSocketAddress> nodes() {
    return nodes;
  }

  /** Every node index once, clockwise from {@code key}'s point: primary, backup, fallbacks. */
  int[] order(String key) {
    long h = hash(key);
    int start = Arrays.binarySearch(points, h);
    if (start < 0) {
      start = -start - 1;
    }
    int[] out = new int[nodes.size()];
    boolean[] seen = new boolean[nodes.size()];
    int found = 0;
    for (int i = 0; found < out.length && i < points.length; i++) {
      int owner = owners[(start + i) % points.length];
      if (!seen[owner]) {
        seen[owner] = true;
        out[found++] = owner;
      }
    }
    return out;
  }

  static String name(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  private static long hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
      return ((long) (d[3] & 0xff) << 24)
          | ((long) (d[2] & 0xff) << 16)
          | ((long) (d[1] & 0xff) << 8)
          | (d[0] & 0xff);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is missing from this JVM", e);
    }
  }
}
