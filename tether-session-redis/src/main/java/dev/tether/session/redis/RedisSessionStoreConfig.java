package dev.tether.session.redis;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * How to reach Redis and lay out keys.
 *
 * <pre>{@code
 * RedisSessionStoreConfig c = RedisSessionStoreConfig.standalone("redis://127.0.0.1:6379");
 * RedisSessionStoreConfig cl = new RedisSessionStoreConfig(
 *     List.of("redis://10.0.0.1:7000", "redis://10.0.0.2:7000"), Mode.CLUSTER,
 *     "tether:session:", 16, Duration.ofMinutes(10), Duration.ofSeconds(2), Duration.ofSeconds(5));
 * }</pre>
 *
 * @param uris Lettuce URIs: one for {@code STANDALONE} ({@code redis://} or {@code rediss://}), one
 *     {@code redis-sentinel://host:port[,host:port]/db#master} for {@code SENTINEL}, one or more
 *     seed nodes for {@code CLUSTER}
 * @param mode how the servers are deployed
 * @param keyPrefix prepended to every key; no {@code {}} (hash tag characters)
 * @param buckets how many slot buckets the expiry and principal index use, 1..16384; 1 suits a
 *     single server, Cluster wants at least a few per master. All instances sharing the data must
 *     agree; changing it orphans the stored sessions
 * @param safetyMargin how much longer than the logical lifetime Redis keeps a session key (the
 *     backend TTL is only a safety net for when no sweep runs); positive
 * @param commandTimeout how long a call waits for Redis's answer before failing; positive. This
 *     bounds how long a request thread can wait on Redis: while the connection is down, calls fail
 *     at once (they are not queued) and Lettuce reconnects in the background
 * @param connectTimeout how long opening a connection (at start and each reconnection attempt) may
 *     take; positive
 */
public record RedisSessionStoreConfig(
    List<String> uris,
    Mode mode,
    String keyPrefix,
    int buckets,
    Duration safetyMargin,
    Duration commandTimeout,
    Duration connectTimeout) {

  /** The default key prefix. */
  public static final String DEFAULT_PREFIX = "tether:session:";

  /** The default safety margin of the backend TTL. */
  public static final Duration DEFAULT_SAFETY_MARGIN = Duration.ofMinutes(10);

  /**
   * The default command timeout: far above a healthy Redis's sub-millisecond answers and a Sentinel
   * failover's pause, short enough that a request stuck on a dead server fails while the user is
   * still waiting.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /** The default connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** How Redis is deployed. */
  public enum Mode {
    /** One server (or a proxy in front of one). */
    STANDALONE,
    /** A master found through Sentinel; failover is followed by Lettuce. */
    SENTINEL,
    /** Redis Cluster; commands are routed by slot. */
    CLUSTER
  }

  public RedisSessionStoreConfig {
    uris = List.copyOf(requireNonNull(uris, "uris"));
    requireNonNull(mode, "mode");
    requireNonNull(keyPrefix, "keyPrefix");
    requireNonNull(safetyMargin, "safetyMargin");
    requireNonNull(commandTimeout, "commandTimeout");
    requireNonNull(connectTimeout, "connectTimeout");
    if (uris.isEmpty()) {
      throw new IllegalArgumentException("at least one Redis URI is needed");
    }
    if (mode != Mode.CLUSTER && uris.size() != 1) {
      throw new IllegalArgumentException(
          mode
              + " takes exactly one URI (Sentinel lists its sentinels inside one"
              + " redis-sentinel:// URI); got "
              + uris.size());
    }
    if (keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) {
      throw new IllegalArgumentException(
          "key prefix '" + keyPrefix + "' must not contain '{' or '}' (Redis hash tags)");
    }
    if (buckets < 1 || buckets > BucketKeys.MAX_BUCKETS) {
      throw new IllegalArgumentException(
          "buckets " + buckets + " must be 1.." + BucketKeys.MAX_BUCKETS);
    }
    if (safetyMargin.isNegative() || safetyMargin.isZero()) {
      throw new IllegalArgumentException("safety margin " + safetyMargin + " must be positive");
    }
    if (commandTimeout.isNegative() || commandTimeout.isZero()) {
      throw new IllegalArgumentException("command timeout " + commandTimeout + " must be positive");
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connect timeout " + connectTimeout + " must be positive");
    }
  }

  /** As the canonical constructor, with the default connect timeout. */
  public RedisSessionStoreConfig(
      List<String> uris,
      Mode mode,
      String keyPrefix,
      int buckets,
      Duration safetyMargin,
      Duration commandTimeout) {
    this(uris, mode, keyPrefix, buckets, safetyMargin, commandTimeout, DEFAULT_CONNECT_TIMEOUT);
  }

  /** One server at {@code uri} with default prefix, one bucket and default margins. */
  public static RedisSessionStoreConfig standalone(String uri) {
    return new RedisSessionStoreConfig(
        List.of(uri),
        Mode.STANDALONE,
        DEFAULT_PREFIX,
        1,
        DEFAULT_SAFETY_MARGIN,
        DEFAULT_TIMEOUT,
        DEFAULT_CONNECT_TIMEOUT);
  }

  /** This configuration with another key prefix. */
  public RedisSessionStoreConfig withKeyPrefix(String prefix) {
    return new RedisSessionStoreConfig(
        uris, mode, prefix, buckets, safetyMargin, commandTimeout, connectTimeout);
  }

  /** This configuration with another bucket count. */
  public RedisSessionStoreConfig withBuckets(int count) {
    return new RedisSessionStoreConfig(
        uris, mode, keyPrefix, count, safetyMargin, commandTimeout, connectTimeout);
  }

  /** This configuration with other command and connect timeouts. */
  public RedisSessionStoreConfig withTimeouts(Duration command, Duration connect) {
    return new RedisSessionStoreConfig(
        uris, mode, keyPrefix, buckets, safetyMargin, command, connect);
  }
}
