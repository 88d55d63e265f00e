package dev.tether.proxy.affinity;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tether.balance.affinity.table.StickTable;
import dev.tether.balance.affinity.table.StickTableStats;
import dev.tether.proxy.redis.RedisLink;
import io.lettuce.core.GetExArgs;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stick table in Redis, shared by several Tether instances so that the balancer tier scales out
 * (DESIGN §7), through Lettuce's asynchronous API only: nothing here blocks an event loop.
 *
 * <p>Design note: {@link #prefetch} issues {@code GETEX key PX expire} (a read that also renews the
 * idle expiry, as a local table's access does) with a short deadline and copies the answer into a
 * small local near table (entries live 5 s), which {@link #get} then reads synchronously; a key
 * already in the near table is renewed in the background and the request does not wait. {@link
 * #put} writes the near table and sends {@code SET key server PX expire} without waiting. When
 * Redis is unreachable or slow, the stage fails or times out, {@code get} finds nothing, and the
 * pool's algorithm decides: the request is served, the fallback is counted, and the state change is
 * logged once per outage. Lettuce reconnects by itself.
 */
public final class RedisStickTable implements StickTable, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisStickTable.class);

  /** How long a request waits for Redis before its pool's algorithm decides instead. */
  public static final Duration LOOKUP_TIMEOUT = Duration.ofMillis(100);

  /** How often a failed first connection to Redis is tried again. */
  public static final Duration RECONNECT_INTERVAL = RedisLink.RECONNECT_INTERVAL;

  private final String prefix;
  private final long expireMillis;
  private final RedisLink link;
  private final Cache<String, String> near;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder fallbacks = new LongAdder();
  private final AtomicBoolean down = new AtomicBoolean();

  /**
   * @param uri {@code redis://} or {@code rediss://}
   * @param namespace the key prefix's distinguishing part, e.g. the pool name
   * @param expire an entry unused this long is dropped (Redis {@code PX})
   */
  public RedisStickTable(String uri, String namespace, Duration expire) {
    this.prefix = "tether:stick:" + requireNonNull(namespace, "namespace") + ":";
    this.expireMillis = expire.toMillis();
    this.link = new RedisLink(uri, null, this::markDown);
    this.near =
        Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(Duration.ofSeconds(5))
            .executor(Runnable::run)
            .build();
  }

  private StatefulRedisConnection<String, String> connected() {
    return link.connected();
  }

  @Override
  public CompletionStage<?> prefetch(String key) {
    StatefulRedisConnection<String, String> c = connected();
    if (c == null) {
      fallbacks.increment();
      return null;
    }
    CompletableFuture<String> lookup =
        c.async().getex(prefix + key, GetExArgs.Builder.px(expireMillis)).toCompletableFuture();
    if (near.getIfPresent(key) != null) {
      // Known here already: renew the shared expiry and refresh the copy in the background; no
      // wait.
      lookup.whenComplete(
          (server, t) -> {
            if (t != null) {
              fallbacks.increment();
              markDown(t.toString());
            } else if (server != null) {
              near.put(key, server);
            }
          });
      return null;
    }
    return lookup
        .orTimeout(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (server, t) -> {
              if (t != null) {
                fallbacks.increment();
                markDown(t.toString());
                return;
              }
              markUp();
              if (server != null) {
                near.put(key, server);
              } else {
                near.invalidate(key);
              }
            });
  }

  @Override
  public String get(String key) {
    String s = near.getIfPresent(key);
    if (s == null) {
      misses.increment();
    } else {
      hits.increment();
    }
    return s;
  }

  @Override
  public void put(String key, String server) {
    near.put(key, server);
    CompletableFuture<StatefulRedisConnection<String, String>> pending = link.pending();
    if (!pending.isDone()) {
      // Still connecting (just started): write once connected rather than drop the binding, so
      // the other balancer instances learn it.
      pending.whenComplete(
          (c, t) -> {
            if (t != null) {
              fallbacks.increment();
            } else {
              write(c, key, server);
            }
          });
      return;
    }
    StatefulRedisConnection<String, String> c = connected();
    if (c == null) {
      fallbacks.increment();
      return;
    }
    write(c, key, server);
  }

  private void write(StatefulRedisConnection<String, String> c, String key, String server) {
    c.async()
        .set(prefix + key, server, SetArgs.Builder.px(expireMillis))
        .whenComplete(
            (ok, t) -> {
              if (t != null) {
                fallbacks.increment();
                markDown(t.toString());
              }
            });
  }

  /** Lookups and writes that Redis could not serve (the pool's algorithm decided instead). */
  public long fallbacks() {
    return fallbacks.sum();
  }

  /** Whether the last Redis operation failed. */
  public boolean unavailable() {
    return down.get();
  }

  @Override
  public StickTableStats stats() {
    return new StickTableStats(near.estimatedSize(), hits.sum(), misses.sum(), 0);
  }

  private void markDown(String why) {
    if (down.compareAndSet(false, true)) {
      log.warn(
          "stick table {}: Redis unavailable ({}); the pool balances by its algorithm until it is back",
          prefix,
          why);
    }
  }

  private void markUp() {
    if (down.compareAndSet(true, false)) {
      log.info("stick table {}: Redis available again", prefix);
    }
  }

  @Override
  public void close() {
    link.close();
  }
}
