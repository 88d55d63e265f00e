package dev.tether.proxy.limit;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tether.proxy.redis.RedisLink;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's rate limit shared by several Tether instances through Redis, asynchronously: nothing
 * here waits for Redis on an event loop.
 *
 * <p>Design note: every request a route lets through is counted in Redis with {@code INCR} on a key
 * per rate-limit key and fixed window (1 s for a rate per second, 1 min per minute, 1 h per hour;
 * windows are cut from the wall clock so all instances agree), which expires after two windows.
 * When a reply says the window's count has reached the shared allowance ({@code rate × window +
 * burst}), the key is marked exhausted until the window ends, and every instance that saw such a
 * reply refuses it locally from then on. Each instance also keeps its own token buckets ({@link
 * TokenBuckets}), so while Redis is unreachable or slow the limit is enforced per instance only;
 * the outage and the recovery are logged once each. Because counting is asynchronous, an instance
 * learns the others' counts only from its own replies: the instances together may let through up to
 * one request each past the allowance, plus those that arrive during a round trip to Redis.
 * Rate-limit key values (API keys, cookies) reach Redis only as SHA-256 digests.
 */
public final class SharedRateLimit implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SharedRateLimit.class);
  private static final long REPLY_TIMEOUT_MILLIS = 500;

  private final String prefix;
  private final long windowMillis;
  private final long allowance;
  private final LongSupplier wallMillis;
  private final RedisLink link;

  /** Keys past the shared allowance: the window (its index) in which they are. */
  private final Cache<String, Long> exhausted;

  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * @param uri {@code redis://} or {@code rediss://}
   * @param namespace what distinguishes this route's counters, e.g. its host and path prefix
   * @param window the counting window
   * @param allowance requests the instances together let through per window
   * @param wallMillis the wall clock in milliseconds (windows must agree between instances)
   */
  public SharedRateLimit(
      String uri, String namespace, Duration window, long allowance, LongSupplier wallMillis) {
    this.prefix = "tether:rate:" + requireNonNull(namespace, "namespace") + ":";
    this.windowMillis = window.toMillis();
    this.allowance = allowance;
    this.wallMillis = wallMillis;
    this.link = new RedisLink(uri, Duration.ofMillis(REPLY_TIMEOUT_MILLIS), this::markDown);
    this.exhausted =
        Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(window.multipliedBy(2))
            .executor(Runnable::run)
            .build();
  }

  /**
   * Milliseconds until {@code key} may pass again because the instances together used its
   * allowance, else 0.
   */
  public long blockedMillis(String key) {
    Long window = exhausted.getIfPresent(key);
    if (window == null) {
      return 0;
    }
    long now = wallMillis.getAsLong();
    long end = (window + 1) * windowMillis;
    return end > now ? end - now : 0;
  }

  /**
   * Counts a request {@code key} was let through with, asynchronously.
   *
   * @return completes once Redis answered and the answer was applied (tests wait on it; the data
   *     plane does not)
   */
  public CompletableFuture<Void> count(String key) {
    StatefulRedisConnection<String, String> c = link.connected();
    if (c == null) {
      return CompletableFuture.completedFuture(null);
    }
    long window = Math.floorDiv(wallMillis.getAsLong(), windowMillis);
    String k = prefix + digest(key) + ":" + window;
    inFlight.incrementAndGet();
    return c.async()
        .incr(k)
        .toCompletableFuture()
        .thenCompose(
            n ->
                n == 1
                    ? c.async()
                        .pexpire(k, 2 * windowMillis)
                        .toCompletableFuture()
                        .thenApply(ok -> n)
                    : CompletableFuture.completedFuture(n))
        .orTimeout(REPLY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .handle(
            (n, t) -> {
              inFlight.decrementAndGet();
              if (t != null) {
                markDown(t.toString());
                return null;
              }
              markUp();
              if (n >= allowance) {
                exhausted.put(key, window); // the next request would go past the shared allowance
              }
              return null;
            });
  }

  private static String digest(String key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void markDown(String why) {
    if (down.compareAndSet(false, true)) {
      log.warn(
          "shared rate limit {}: Redis at {} is unavailable ({}); each instance limits on its own until it is back",
          prefix,
          link.address(),
          why);
    }
  }

  private void markUp() {
    if (down.compareAndSet(true, false)) {
      log.info(
          "shared rate limit {}: Redis at {} is back; limits are shared again",
          prefix,
          link.address());
    }
  }

  /**
   * Whether the connection to Redis is established; until it is (at start, or while Redis cannot be
   * reached), requests are not counted and each instance limits on its own.
   */
  public boolean connected() {
    return link.connected() != null;
  }

  /** Counts sent to Redis whose answer has not been applied yet. */
  public int countsInFlight() {
    return inFlight.get();
  }

  /** Whether the last exchange with Redis failed. */
  public boolean down() {
    return down.get();
  }

  @Override
  public void close() {
    link.close();
  }
}
