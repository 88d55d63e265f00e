package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * A route's rate limit ({@code routes[i].rate-limit}): a token bucket per key that refills at
 * {@code perSecond} and holds at most {@code burst} requests; a request finding it empty is
 * answered {@code 429} with {@code Retry-After}.
 *
 * @param perSecond the sustained rate ({@code rate: 100/s}, or {@code /m}, {@code /h})
 * @param burst the bucket's size ({@code burst}, default: one second of {@code rate}, at least 1)
 * @param key what a bucket belongs to ({@code key: client}, {@code header:NAME}, {@code
 *     cookie:NAME})
 * @param keyName the header or cookie name for those kinds, else {@code null}
 * @param maxKeys the most buckets kept at once ({@code max-keys}, default 100000); the least
 *     recently used beyond that are forgotten (they would be full again)
 * @param window the unit {@code rate} is given in (1 s, 1 min or 1 h), the counting window when
 *     shared
 * @param sharedRedisUri the Redis through which Tether instances share the limit ({@code shared: {
 *     redis-uri }}), or {@code null} when each instance limits on its own
 */
public record RouteRateLimit(
    double perSecond,
    int burst,
    Key key,
    String keyName,
    int maxKeys,
    java.time.Duration window,
    String sharedRedisUri) {

  /** What a bucket is kept for. */
  public enum Key {
    /** The client address, after the trusted-proxy rules. */
    CLIENT,
    /**
     * The value of a request header (e.g. an API key); requests without it share the client's
     * bucket.
     */
    HEADER,
    /**
     * The value of a cookie (e.g. the affinity or session cookie); requests without it use the
     * client's bucket.
     */
    COOKIE
  }

  public RouteRateLimit {
    requireNonNull(key, "key");
    if (!(perSecond > 0) || burst < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("rate, burst and max-keys must be positive");
    }
    if ((key == Key.CLIENT) != (keyName == null)) {
      throw new IllegalArgumentException(
          "a header or cookie key needs its name, a client key none");
    }
    requireNonNull(window, "window");
  }

  /** A limit each instance keeps on its own, its rate given per second. */
  public RouteRateLimit(double perSecond, int burst, Key key, String keyName, int maxKeys) {
    this(perSecond, burst, key, keyName, maxKeys, java.time.Duration.ofSeconds(1), null);
  }

  /**
   * Requests the instances together let through per window when shared: {@code rate × window +
   * burst}.
   */
  public long sharedAllowance() {
    return Math.round(perSecond * window.toMillis() / 1000.0) + burst;
  }

  /** How the limit reads in the configuration, e.g. {@code 100/s burst 200}. */
  public String describe() {
    String rate =
        perSecond >= 1 && perSecond == Math.rint(perSecond)
            ? (long) perSecond + "/s"
            : perSecond * 60 == Math.rint(perSecond * 60)
                ? (long) (perSecond * 60) + "/m"
                : (long) Math.round(perSecond * 3600) + "/h";
    return rate + " burst " + burst;
  }
}
