package dev.tether.proxy.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Token buckets by key: each refills at a fixed rate up to its size, and a request takes one token.
 * At most {@code maxKeys} buckets are kept; a bucket unused for the time it takes to refill is
 * dropped, since a new one (full) is the same. Thread-safe; the clock is injected.
 */
public final class TokenBuckets {

  private final double perNano;
  private final int burst;
  private final LongSupplier nanos;
  private final Cache<String, Bucket> buckets;

  /**
   * @param perSecond tokens added per second
   * @param burst the most tokens a bucket holds (and holds when new)
   * @param maxKeys the most buckets kept at once
   * @param nanos a monotonic clock in nanoseconds
   */
  public TokenBuckets(double perSecond, int burst, int maxKeys, LongSupplier nanos) {
    if (!(perSecond > 0) || burst < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("rate, burst and max keys must be positive");
    }
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.nanos = nanos;
    long refill = (long) Math.ceil(burst / perSecond * 1e9);
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(maxKeys)
            .expireAfterAccess(Duration.ofNanos(Math.max(refill, 1_000_000)))
            .ticker(nanos::getAsLong)
            .executor(Runnable::run)
            .build();
  }

  /**
   * Takes a token from {@code key}'s bucket.
   *
   * @return 0 when a token was taken, else the nanoseconds until the bucket has one again
   */
  public long take(String key) {
    long now = nanos.getAsLong();
    return buckets.get(key, k -> new Bucket(burst, now)).take(now, perNano, burst);
  }

  /** Buckets kept now (after pending evictions). */
  public long size() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  private static final class Bucket {
    private double tokens;
    private long last;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.last = now;
    }

    synchronized long take(long now, double perNano, int burst) {
      if (now > last) {
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
      }
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) / perNano);
    }
  }
}
