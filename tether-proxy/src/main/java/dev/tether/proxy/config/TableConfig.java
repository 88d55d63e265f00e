package dev.tether.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A stick table ({@code affinity.table}).
 *
 * @param size most entries kept ({@code size}, default 100000, 1..100000000)
 * @param expire an entry unused this long is dropped ({@code expire}, default 30m)
 * @param store {@code store: local | redis}, default local
 * @param redisUri {@code redis-uri} (redis:// or rediss://), non-null exactly with store redis;
 *     default redis://127.0.0.1:6379
 */
public record TableConfig(int size, Duration expire, Store store, String redisUri) {

  /** Where the table lives. */
  public enum Store {
    /** In this Tether instance only. */
    LOCAL,
    /** In Redis, shared by several Tether instances. */
    REDIS
  }

  public TableConfig {
    requireNonNull(expire, "expire");
    requireNonNull(store, "store");
  }
}
