package dev.tether.balance.affinity.table;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A stick table in this process: Caffeine, bounded by size (W-TinyLFU eviction) and expiring
 * entries unused for the configured time, with statistics recorded.
 */
public final class LocalStickTable implements StickTable {

  private final Cache<String, String> cache;

  /**
   * @param size most entries kept
   * @param expire an entry unused this long is dropped
   * @param ticker monotonic nanoseconds
   */
  public LocalStickTable(long size, Duration expire, LongSupplier ticker) {
    if (size < 1) {
      throw new IllegalArgumentException("stick table size " + size + " must be at least 1");
    }
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(size)
            .expireAfterAccess(expire)
            .ticker(ticker::getAsLong)
            .executor(Runnable::run)
            .recordStats()
            .build();
  }

  @Override
  public String get(String key) {
    return cache.getIfPresent(key);
  }

  @Override
  public void put(String key, String server) {
    cache.put(key, server);
  }

  @Override
  public StickTableStats stats() {
    cache.cleanUp();
    CacheStats s = cache.stats();
    return new StickTableStats(
        cache.estimatedSize(), s.hitCount(), s.missCount(), s.evictionCount());
  }
}
