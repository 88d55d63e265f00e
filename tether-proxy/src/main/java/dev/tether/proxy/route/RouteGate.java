package dev.tether.proxy.route;

import dev.tether.balance.PickRequest;
import dev.tether.proxy.config.RouteAccess;
import dev.tether.proxy.config.RouteRateLimit;
import dev.tether.proxy.limit.TokenBuckets;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What a route checks before a request is balanced: its access rule (403) and its rate limit (429
 * with {@code Retry-After}). Thread-safe; shared by every event loop; kept across reloads while the
 * route's rules stay the same, so a reload does not refill every bucket.
 */
public final class RouteGate implements AutoCloseable {

  /** Requests refused by routes, by reason; shared by all routes, read by the metrics. */
  public static final class Refusals {
    private final LongAdder denied = new LongAdder();
    private final LongAdder limited = new LongAdder();

    public long denied() {
      return denied.sum();
    }

    public long rateLimited() {
      return limited.sum();
    }
  }

  /** A refusal: the status to answer, the reason for the log, and for 429 the seconds to wait. */
  public record Refusal(int status, String reason, long retryAfterSeconds) {}

  private final RouteAccess access;
  private final RouteRateLimit limit;
  private final TokenBuckets buckets;
  private final dev.tether.proxy.limit.SharedRateLimit shared;
  private final Refusals refusals;

  /**
   * @param access the access rule, or {@code null}
   * @param limit the rate limit, or {@code null}
   */
  public RouteGate(
      RouteAccess access, RouteRateLimit limit, Refusals refusals, LongSupplier nanos) {
    this(access, limit, refusals, nanos, System::currentTimeMillis, null);
  }

  /**
   * @param wallMillis the wall clock, for the windows of a shared limit
   * @param namespace what names this route's shared counters in Redis (host and path prefix); used
   *     only with a shared limit
   */
  public RouteGate(
      RouteAccess access,
      RouteRateLimit limit,
      Refusals refusals,
      LongSupplier nanos,
      LongSupplier wallMillis,
      String namespace) {
    this.access = access;
    this.limit = limit;
    this.refusals = refusals;
    this.buckets =
        limit == null
            ? null
            : new TokenBuckets(limit.perSecond(), limit.burst(), limit.maxKeys(), nanos);
    this.shared =
        limit == null || limit.sharedRedisUri() == null
            ? null
            : new dev.tether.proxy.limit.SharedRateLimit(
                limit.sharedRedisUri(),
                namespace == null ? "route" : namespace,
                limit.window(),
                limit.sharedAllowance(),
                wallMillis);
  }

  /** Whether this gate's shared rate limit, if it has one, is connected to its Redis. */
  public boolean sharedConnected() {
    return shared == null || shared.connected();
  }

  /** Counts this gate's shared rate limit sent to Redis and not yet answered (0 without one). */
  public int sharedCountsInFlight() {
    return shared == null ? 0 : shared.countsInFlight();
  }

  /** Releases the shared limit's Redis connection, if any. */
  @Override
  public void close() {
    if (shared != null) {
      shared.close();
    }
  }

  public RouteAccess access() {
    return access;
  }

  public RouteRateLimit limit() {
    return limit;
  }

  /** {@code null} when the request may go on, else why not. */
  public Refusal check(PickRequest request) {
    String client = request.clientAddress();
    if (access != null && !permits(client)) {
      refusals.denied.increment();
      return new Refusal(
          403, "client " + client + " is not allowed on this route (access rule)", 0);
    }
    if (buckets != null) {
      String key = key(client, request);
      long wait = buckets.take(key);
      if (wait == 0 && shared != null) {
        // the instances together may have used the key's allowance for this window
        wait = TimeUnit.MILLISECONDS.toNanos(shared.blockedMillis(key));
        if (wait == 0) {
          shared.count(key);
        }
      }
      if (wait > 0) {
        refusals.limited.increment();
        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait + 999_999_999L));
        String whose =
            key.startsWith("client ")
                ? key
                : "this "
                    + limit.key().name().toLowerCase(java.util.Locale.ROOT)
                    + " "
                    + limit.keyName()
                    + " value"; // never log a key's value
        return new Refusal(
            429, "rate limit " + limit.describe() + " reached for " + whose, seconds);
      }
    }
    return null;
  }

  /**
   * An address that is not an IP literal is in no range: refused by an allow list, passed by a deny
   * list.
   */
  private boolean permits(String client) {
    String literal =
        client.startsWith("[") && client.endsWith("]")
            ? client.substring(1, client.length() - 1)
            : client;
    InetAddress a = io.netty.util.NetUtil.createInetAddressFromIpAddressString(literal);
    return a == null ? access.allow().isEmpty() : access.permits(a);
  }

  private String key(String client, PickRequest request) {
    String value =
        switch (limit.key()) {
          case CLIENT -> null;
          case HEADER -> request.header(limit.keyName());
          case COOKIE -> request.cookie(limit.keyName());
        };
    return value == null || value.isEmpty()
        ? "client " + client
        : limit.key().name().toLowerCase() + " " + value;
  }
}
