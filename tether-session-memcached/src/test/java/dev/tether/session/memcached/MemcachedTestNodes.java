package dev.tether.session.memcached;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared Memcached nodes the tests run over, from {@code TETHER_TEST_MEMCACHED_NODES} ({@code
 * source <(bash .ci/memcached.sh)} starts three). Missing: the test is skipped, or fails when
 * {@code TETHER_REQUIRE_SERVICES=true}.
 */
final class MemcachedTestNodes {

  private MemcachedTestNodes() {}

  static List<InetSocketAddress> nodes() {
    String env = System.getenv("TETHER_TEST_MEMCACHED_NODES");
    if (env == null || env.isBlank()) {
      if (Boolean.parseBoolean(System.getenv("TETHER_REQUIRE_SERVICES"))) {
        throw new IllegalStateException(
            "TETHER_TEST_MEMCACHED_NODES is not set, and TETHER_REQUIRE_SERVICES=true makes a"
                + " missing Memcached a failure (source <(bash .ci/memcached.sh) starts three)");
      }
      Assumptions.abort("TETHER_TEST_MEMCACHED_NODES is not set: skipping the Memcached test");
    }
    List<InetSocketAddress> out = new ArrayList<>();
    for (String part : env.split(",")) {
      String p = part.strip();
      int colon = p.lastIndexOf(':');
      out.add(
          new InetSocketAddress(p.substring(0, colon), Integer.parseInt(p.substring(colon + 1))));
    }
    return out;
  }

  /** A key prefix no other test run uses. */
  static String uniquePrefix(String what) {
    return "tether:test:" + what + ":" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }
}
