package dev.tether.session.memcached;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * How to reach Memcached and lay out keys.
 *
 * @param nodes the Memcached nodes of the ring, at least one (two or more for a backup)
 * @param keyPrefix prefix of every key: 1..64 printable ASCII characters without spaces
 * @param timeout per-call timeout; a node that misses it is taken as down for {@code retry}
 * @param retry how long a node that failed a call is skipped before it is tried again
 * @param safetyMargin how much longer than a session's logical lifetime its key lives
 * @param expiryBucket width of a bucket of the sweep's expiry index
 */
public record MemcachedSessionStoreConfig(
    List<InetSocketAddress> nodes,
    String keyPrefix,
    Duration timeout,
    Duration retry,
    Duration safetyMargin,
    Duration expiryBucket) {

  /** The default key prefix. */
  public static final String DEFAULT_PREFIX = "tether:session:";

  public MemcachedSessionStoreConfig {
    nodes = List.copyOf(requireNonNull(nodes, "nodes"));
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("nodes must list at least one host:port");
    }
    requireNonNull(keyPrefix, "keyPrefix");
    if (keyPrefix.isEmpty()
        || keyPrefix.length() > 64
        || !keyPrefix.chars().allMatch(c -> c > 32 && c < 127)) {
      throw new IllegalArgumentException(
          "key prefix must be 1..64 printable ASCII characters without spaces");
    }
    for (Duration d : List.of(timeout, retry, safetyMargin, expiryBucket)) {
      if (requireNonNull(d, "duration").isNegative() || d.isZero()) {
        throw new IllegalArgumentException("durations must be positive, got " + d);
      }
    }
  }

  /** Defaults (timeout 1s, retry 1s, margin 10m, bucket 1m) over {@code nodes}. */
  public static MemcachedSessionStoreConfig of(List<InetSocketAddress> nodes) {
    return new MemcachedSessionStoreConfig(
        nodes,
        DEFAULT_PREFIX,
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        Duration.ofMinutes(10),
        Duration.ofMinutes(1));
  }

  /** The same with another key prefix. */
  public MemcachedSessionStoreConfig withKeyPrefix(String prefix) {
    return new MemcachedSessionStoreConfig(
        nodes, prefix, timeout, retry, safetyMargin, expiryBucket);
  }
}
