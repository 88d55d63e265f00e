package dev.tether.session.redis;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionIds;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sessions in Redis (standalone, Sentinel or Cluster) through Lettuce.
 *
 * <p>Design (see {@link BucketKeys} for the key layout):
 *
 * <ul>
 *   <li><b>One round trip per call.</b> {@link #save} is one {@code EVALSHA} of a script that
 *       checks the session exists and is not expired at the caller's clock, merges the delta per
 *       attribute exactly as {@link SessionRecord#merge} (attribute versions compared with the
 *       delta's base, last writer wins, conflicts returned), bumps the version and updates the
 *       expiry sorted set, the principal set and the safety-net TTL. {@link #load} is one {@code
 *       HGETALL}, {@link #currentVersion} one {@code HMGET v e}. No keyspace notifications, no
 *       {@code CONFIG}, so managed Redis works (cf. spring-session's 7 commands per save, #1182).
 *   <li><b>Time is the injected clock's.</b> Every script gets "now" in milliseconds as an
 *       argument; Redis {@code TIME} is never used for logic. Each hash stores its expiry ({@code
 *       e}); a session is expired from that instant on. The key's {@code PEXPIRE} is relative and
 *       {@code safetyMargin} longer than the logical lifetime, a net for when no sweep runs.
 *   <li><b>No resurrection.</b> A save only updates an existing hash, so a deleted, rotated or
 *       swept session stays gone. Delete and rotation leave a tombstone key holding its logical end
 *       (now + idle timeout) with a relative {@code PX} of idle timeout + margin; creation and
 *       rotation onto a live tombstone are refused.
 *   <li><b>Expiry once.</b> {@link #sweepExpired} runs one script per bucket that takes members of
 *       the bucket's expiry sorted set up to the limit, re-checks each hash's expiry at the given
 *       now and deletes it with its principal entry; scripts are atomic, so each expired session is
 *       returned by exactly one caller across instances.
 *   <li><b>Rotation.</b> When old and new id fall in the same bucket (always with one bucket) one
 *       script renames the hash. Across buckets (Cluster with several buckets) no script may touch
 *       both slots, so it takes three calls: reserve the new id (a short tombstone, fails with
 *       {@code ID_TAKEN} without changing anything), detach the old session (atomic: from then on
 *       saves on the old id are {@code GONE}, every earlier save is in the copy), attach the copy
 *       under the new id. A crash between detach and attach loses that one session (the user logs
 *       in again); it never exposes it under two ids.
 * </ul>
 *
 * <p>Thread-safe; one multiplexed Lettuce connection serves all threads. The methods block the
 * calling thread until Redis answers (Lettuce's synchronous API): call them from request threads or
 * a bounded executor, never from a Netty or Lettuce event loop.
 *
 * <pre>{@code
 * try (RedisSessionStore store = new RedisSessionStore(
 *     RedisSessionStoreConfig.standalone("redis://127.0.0.1:6379"), Clock.systemUTC())) {
 *   store.create(SessionRecord.create(id, now, idle, absolute, null, Map.of()));
 * }
 * }</pre>
 */
public final class RedisSessionStore implements SessionStore {

  private static final int SWEEP_BATCH = 256;

  private final RedisLink link;
  private final RedisClusterCommands<byte[], byte[]> redis;
  private final BucketKeys keys;
  private final Clock clock;
  private final long marginMillis;
  private final long timeoutMillis;
  private final AtomicInteger sweepCursor = new AtomicInteger();
  private final RedisInvalidations invalidations;

  /**
   * Connects to Redis as {@code config} says.
   *
   * @param clock the only judge of expiry
   * @throws IllegalStateException when Redis cannot be reached
   */
  public RedisSessionStore(RedisSessionStoreConfig config, Clock clock) {
    requireNonNull(config, "config");
    this.clock = requireNonNull(clock, "clock");
    this.keys = new BucketKeys(config.keyPrefix(), config.buckets());
    this.marginMillis = config.safetyMargin().toMillis();
    this.timeoutMillis = config.commandTimeout().toMillis();
    this.link = RedisLink.open(config);
    this.redis = link.sync();
    this.invalidations = new RedisInvalidations(link, config.keyPrefix());
  }

  /**
   * Near-cache invalidations over Redis publish/subscribe on the channel {@code <prefix>invalidate}
   * (see {@link RedisInvalidations}); a subscription opens a connection of its own.
   */
  @Override
  public dev.tether.session.spi.Invalidations invalidations() {
    return invalidations;
  }

  /**
   * How many Redis commands this store has sent since it connected, connection set-up included: the
   * difference around one call is that call's number of round trips.
   */
  public long commandsSent() {
    return link.commandsSent();
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    SessionIds.requireValid(id);
    Map<byte[], byte[]> raw = redis.hgetall(keys.session(id));
    if (raw == null || raw.isEmpty()) {
      return Optional.empty();
    }
    Map<String, byte[]> fields = new HashMap<>();
    raw.forEach((f, v) -> fields.put(SessionHash.text(f), v));
    byte[] expires = fields.get("e");
    if (expires == null || SessionHash.isExpired(expires, now())) {
      return Optional.empty();
    }
    return Optional.of(SessionHash.fromFields(id, fields));
  }

  @Override
  public OptionalLong currentVersion(String id) {
    SessionIds.requireValid(id);
    List<KeyValue<byte[], byte[]>> kv = redis.hmget(keys.session(id), bytes("v"), bytes("e"));
    if (!kv.get(0).hasValue()
        || !kv.get(1).hasValue()
        || SessionHash.isExpired(kv.get(1).getValue(), now())) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(SessionHash.text(kv.get(0).getValue())));
  }

  @Override
  public SaveResult create(SessionRecord session) {
    requireNonNull(session, "session");
    String id = session.id();
    int bucket = keys.bucketOf(id);
    List<byte[]> args = new ArrayList<>();
    args.add(bytes(id));
    args.add(number(now()));
    args.add(number(marginMillis));
    args.add(bytes(keys.principalPrefix(bucket)));
    args.add(number(session.expiresAt().toEpochMilli()));
    args.add(bytes(session.principal() == null ? "" : session.principal()));
    args.addAll(SessionHash.fields(session));
    Long created =
        StoreScript.CREATE.run(
            redis, List.of(keys.session(id), keys.tombstone(id), keys.expiry(bucket)), args);
    return created == 1 ? SaveResult.saved(session.version()) : SaveResult.idTaken();
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    requireNonNull(delta, "delta");
    String id = delta.id();
    int bucket = keys.bucketOf(id);
    List<byte[]> args = new ArrayList<>(10 + 2 * delta.changed().size() + delta.removed().size());
    args.add(bytes(id));
    args.add(number(now()));
    args.add(number(delta.baseVersion()));
    args.add(number(marginMillis));
    args.add(bytes(keys.principalPrefix(bucket)));
    args.add(
        delta.lastAccessedAt() == null
            ? new byte[0]
            : number(delta.lastAccessedAt().toEpochMilli()));
    args.add(delta.idleTimeout() == null ? new byte[0] : number(delta.idleTimeout().toMillis()));
    if (delta.principal() == null) {
      args.add(new byte[0]);
      args.add(new byte[0]);
    } else if (delta.principal().principal() == null) {
      args.add(bytes("c"));
      args.add(new byte[0]);
    } else {
      args.add(bytes("s"));
      args.add(bytes(delta.principal().principal()));
    }
    args.add(number(delta.changed().size()));
    delta
        .changed()
        .forEach(
            (name, value) -> {
              args.add(bytes(name));
              args.add(value);
            });
    delta.removed().forEach(name -> args.add(bytes(name)));
    List<Object> r =
        StoreScript.SAVE.run(redis, List.of(keys.session(id), keys.expiry(bucket)), args);
    if ((Long) r.get(0) == 0) {
      return SaveResult.gone();
    }
    Set<String> conflicts = new TreeSet<>();
    for (int i = 2; i < r.size(); i++) {
      conflicts.add(SessionHash.text((byte[]) r.get(i)));
    }
    return SaveResult.saved((Long) r.get(1), conflicts);
  }

  @Override
  public boolean delete(String id) {
    SessionIds.requireValid(id);
    int bucket = keys.bucketOf(id);
    Long deleted =
        StoreScript.DELETE.run(
            redis,
            List.of(keys.session(id), keys.tombstone(id), keys.expiry(bucket)),
            List.of(
                bytes(id),
                number(now()),
                number(marginMillis),
                bytes(keys.principalPrefix(bucket))));
    return deleted == 1;
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    SessionIds.requireValid(oldId);
    SessionIds.requireValid(newId);
    int bucket = keys.bucketOf(oldId);
    if (bucket != keys.bucketOf(newId)) {
      return rotateAcrossBuckets(oldId, newId);
    }
    List<Object> r =
        StoreScript.ROTATE.run(
            redis,
            List.of(
                keys.session(oldId),
                keys.tombstone(oldId),
                keys.session(newId),
                keys.tombstone(newId),
                keys.expiry(bucket)),
            List.of(
                bytes(oldId),
                bytes(newId),
                number(now()),
                number(marginMillis),
                bytes(keys.principalPrefix(bucket))));
    return switch (((Long) r.get(0)).intValue()) {
      case 1 -> SaveResult.saved((Long) r.get(1));
      case 2 -> SaveResult.idTaken();
      default -> SaveResult.gone();
    };
  }

  private SaveResult rotateAcrossBuckets(String oldId, String newId) {
    long now = now();
    Long reserved =
        StoreScript.RESERVE.run(
            redis,
            List.of(keys.session(newId), keys.tombstone(newId)),
            List.of(number(now), number(now + marginMillis), number(2 * marginMillis)));
    if (reserved != 1) {
      return SaveResult.idTaken();
    }
    int oldBucket = keys.bucketOf(oldId);
    List<Object> detached =
        StoreScript.DETACH.run(
            redis,
            List.of(keys.session(oldId), keys.tombstone(oldId), keys.expiry(oldBucket)),
            List.of(
                bytes(oldId),
                number(now),
                number(marginMillis),
                bytes(keys.principalPrefix(oldBucket))));
    if ((Long) detached.get(0) == 0) {
      redis.del(keys.tombstone(newId));
      return SaveResult.gone();
    }
    int newBucket = keys.bucketOf(newId);
    List<byte[]> args = new ArrayList<>();
    args.add(bytes(newId));
    args.add(number(now));
    args.add(number(marginMillis));
    args.add(bytes(keys.principalPrefix(newBucket)));
    for (Object field : (List<?>) detached.get(1)) {
      args.add((byte[]) field);
    }
    Long version =
        StoreScript.ATTACH.run(
            redis,
            List.of(keys.session(newId), keys.tombstone(newId), keys.expiry(newBucket)),
            args);
    return SaveResult.saved(version);
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    requireNonNull(principal, "principal");
    if (keys.buckets() == 1) {
      return ids(redis.smembers(keys.principal(0, principal)));
    }
    List<RedisFuture<Set<byte[]>>> pending = new ArrayList<>(keys.buckets());
    for (int b = 0; b < keys.buckets(); b++) {
      pending.add(link.async().smembers(keys.principal(b, principal)));
    }
    Set<String> all = new HashSet<>();
    try {
      for (RedisFuture<Set<byte[]>> f : pending) {
        all.addAll(ids(f.get(timeoutMillis, TimeUnit.MILLISECONDS)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the principal index", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("reading the principal index from Redis failed", e);
    }
    return Set.copyOf(all);
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("sweep limit " + limit + " must be at least 1");
    }
    long now = now();
    List<SessionRecord> swept = new ArrayList<>();
    int buckets = keys.buckets();
    int start = Math.floorMod(sweepCursor.getAndIncrement(), buckets);
    for (int k = 0; k < buckets && swept.size() < limit; k++) {
      int b = (start + k) % buckets;
      while (swept.size() < limit) {
        int want = Math.min(limit - swept.size(), SWEEP_BATCH);
        List<Object> r =
            StoreScript.SWEEP.run(
                redis,
                List.of(keys.expiry(b)),
                List.of(
                    number(now),
                    number(want),
                    bytes(keys.sessionPrefix(b)),
                    bytes(keys.principalPrefix(b))));
        for (int i = 1; i + 1 < r.size(); i += 2) {
          swept.add(
              SessionHash.fromFlat(SessionHash.text((byte[]) r.get(i)), (List<?>) r.get(i + 1)));
        }
        if ((Long) r.get(0) < want) {
          break;
        }
      }
    }
    return swept;
  }

  /**
   * Also an outage: any Lettuce failure that is not Redis answering with an error (not connected,
   * connection lost, command timed out), and the error answers of a server that cannot serve now
   * ({@code LOADING} after a restart, {@code BUSY}, {@code MASTERDOWN}, {@code READONLY} during a
   * failover, {@code CLUSTERDOWN}, {@code TRYAGAIN}, {@code OOM}, {@code NOREPLICAS}). Other error
   * answers (a script error) are not.
   */
  @Override
  public boolean isOutage(RuntimeException failure) {
    if (failure instanceof IllegalArgumentException
        || failure instanceof UnsupportedOperationException) {
      return false;
    }
    Throwable c = failure;
    for (int depth = 0; c != null && depth < 32; depth++, c = c.getCause()) {
      if (c instanceof io.lettuce.core.RedisCommandExecutionException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        return UNAVAILABLE_REPLIES.stream().anyMatch(m::startsWith);
      }
      if (c instanceof io.lettuce.core.RedisException) {
        return true;
      }
    }
    return SessionStore.super.isOutage(failure);
  }

  private static final List<String> UNAVAILABLE_REPLIES =
      List.of(
          "LOADING",
          "BUSY",
          "MASTERDOWN",
          "READONLY",
          "CLUSTERDOWN",
          "TRYAGAIN",
          "OOM",
          "NOREPLICAS");

  /** Closes the connection and shuts the Lettuce client down. */
  @Override
  public void close() {
    link.close();
  }

  private long now() {
    return clock.millis();
  }

  private static Set<String> ids(Set<byte[]> members) {
    Set<String> out = new HashSet<>();
    for (byte[] m : members) {
      out.add(SessionHash.text(m));
    }
    return Set.copyOf(out);
  }

  private static byte[] bytes(String s) {
    return BucketKeys.bytes(s);
  }

  private static byte[] number(long n) {
    return BucketKeys.bytes(Long.toString(n));
  }
}
