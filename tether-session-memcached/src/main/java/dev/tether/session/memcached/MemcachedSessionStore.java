package dev.tether.session.memcached;

import static java.util.Objects.requireNonNull;

import com.spotify.folsom.BinaryMemcacheClient;
import com.spotify.folsom.MemcacheClientBuilder;
import dev.tether.session.memcached.Entry.Ids;
import dev.tether.session.memcached.Entry.Live;
import dev.tether.session.memcached.Entry.Low;
import dev.tether.session.memcached.Entry.Swept;
import dev.tether.session.memcached.Entry.Tomb;
import dev.tether.session.memcached.Replicas.Step;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionIds;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Sessions in Memcached, each on a primary and a backup node (see {@link Replicas}), through
 * Spotify's asynchronous folsom client over the binary protocol.
 *
 * <p>Design:
 *
 * <ul>
 *   <li><b>Versioning with CAS.</b> A session is one key ({@code <prefix>s:<id>}) holding the whole
 *       record. {@link #save} reads it with its CAS token, applies {@link SessionRecord#merge} and
 *       writes with that token; a concurrent writer makes the CAS fail and the merge is redone on
 *       the new value, so deltas merge or conflict exactly as in every other store.
 *   <li><b>Tombstones in the same key.</b> {@link #delete} and {@link #rotateId} replace the
 *       session by a tombstone (its logical end is now + idle timeout) through the same CAS, so a
 *       save racing a logout sees the tombstone and answers {@code GONE}; nothing resurrects it.
 *   <li><b>Expiry from Memcached's TTL</b>, relative and {@code safetyMargin} past the logical end;
 *       the logical expiry by the injected clock decides every read.
 *   <li><b>Indexes as keys.</b> Memcached cannot list keys, so the principal index is a key per
 *       principal ({@code <prefix>p:<sha-256 of the name>}) holding ids, and the sweep has an
 *       expiry index of time buckets ({@code <prefix>x:<bucket>}) plus a low-water key ({@code
 *       <prefix>xl}); each is changed by a CAS loop. A session stays in the bucket of its earliest
 *       expiry; a save that moves expiry later touches no index, the sweep moves the id to its new
 *       bucket when it reaches the old one. A sweep claims an expired session by replacing it with
 *       a swept mark through CAS, so exactly one caller wins it.
 * </ul>
 *
 * <p>Thread-safe; methods block the calling thread until Memcached answers (never call them on an
 * event loop).
 */
public final class MemcachedSessionStore implements SessionStore {

  private static final int MAX_TTL_SECONDS = 30 * 24 * 3600;

  private final Replicas replicas;
  private final Clock clock;
  private final String prefix;
  private final long marginMillis;
  private final long bucketMillis;

  /**
   * The lowest low-water mark this instance has seen or written; an expiry bucket at or above it
   * needs no mark update. Only a sweeper whose clock runs ahead can raise the mark past it.
   */
  private final java.util.concurrent.atomic.AtomicLong knownLow =
      new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);

  /**
   * Connects to the nodes {@code config} lists (folsom connects in the background; a node that is
   * down is skipped until it answers).
   */
  public MemcachedSessionStore(MemcachedSessionStoreConfig config, Clock clock) {
    requireNonNull(config, "config");
    this.clock = requireNonNull(clock, "clock");
    this.prefix = config.keyPrefix();
    this.marginMillis = config.safetyMargin().toMillis();
    this.bucketMillis = config.expiryBucket().toMillis();
    NodeRing ring = new NodeRing(config.nodes());
    long retryMillis = config.retry().toMillis();
    List<BinaryMemcacheClient<byte[]>> clients = new ArrayList<>();
    for (InetSocketAddress node : ring.nodes()) {
      clients.add(
          MemcacheClientBuilder.newByteArrayClient()
              .withAddress(node.getHostString(), node.getPort())
              .withRequestTimeoutMillis(config.timeout().toMillis())
              .withConnectionTimeoutMillis(config.timeout().toMillis())
              .withRetry(false)
              .withBackoff(attempt -> Math.min(retryMillis, 10L << Math.min(attempt, 16)))
              .connectBinary());
    }
    awaitConnections(clients, config.timeout().toMillis());
    this.replicas =
        new Replicas(
            ring,
            clients,
            config.timeout().toMillis() + 200,
            config.retry().toMillis(),
            System::nanoTime);
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    SessionIds.requireValid(id);
    byte[] raw = replicas.read(sessionKey(id));
    if (raw != null
        && Entry.decode(id, raw) instanceof Live l
        && !l.record().isExpired(clock.instant())) {
      return Optional.of(l.record());
    }
    return Optional.empty();
  }

  @Override
  public OptionalLong currentVersion(String id) {
    return load(id).map(r -> OptionalLong.of(r.version())).orElse(OptionalLong.empty());
  }

  @Override
  public SaveResult create(SessionRecord session) {
    requireNonNull(session, "session");
    String id = session.id();
    long now = clock.millis();
    boolean created =
        replicas.update(
            sessionKey(id),
            cur ->
                isFree(id, cur, now)
                    ? Step.write(
                        Entry.encode(new Live(session)),
                        ttl(session.expiresAt().toEpochMilli(), now),
                        true)
                    : Step.none(false));
    if (!created) {
      return SaveResult.idTaken();
    }
    indexAdded(session, now);
    return SaveResult.saved(session.version());
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    requireNonNull(delta, "delta");
    String id = delta.id();
    long now = clock.millis();
    SessionRecord.Merge[] merged = new SessionRecord.Merge[1];
    SessionRecord[] before = new SessionRecord[1];
    boolean saved =
        replicas.update(
            sessionKey(id),
            cur -> {
              if (cur == null
                  || !(Entry.decode(id, cur) instanceof Live l)
                  || l.record().isExpired(clock.instant())) {
                return Step.none(false);
              }
              before[0] = l.record();
              merged[0] = l.record().merge(delta);
              SessionRecord next = merged[0].record();
              return Step.write(
                  Entry.encode(new Live(next)), ttl(next.expiresAt().toEpochMilli(), now), true);
            });
    if (!saved) {
      return SaveResult.gone();
    }
    SessionRecord after = merged[0].record();
    if (!Objects.equals(before[0].principal(), after.principal())) {
      if (before[0].principal() != null) {
        principalIndex(before[0].principal(), now, 0, ids -> without(ids, id));
      }
      if (after.principal() != null) {
        principalIndex(
            after.principal(), now, after.expiresAt().toEpochMilli(), ids -> with(ids, id));
      }
    }
    long oldBucket = bucket(before[0].expiresAt().toEpochMilli());
    long newBucket = bucket(after.expiresAt().toEpochMilli());
    if (newBucket < oldBucket) {
      // a later expiry stays in its earlier bucket (the sweep moves it when it gets there), so the
      // common save that slides idle expiry writes no index
      expiryAdd(id, newBucket);
    }
    return SaveResult.saved(after.version(), merged[0].conflicts());
  }

  @Override
  public boolean delete(String id) {
    SessionIds.requireValid(id);
    long now = clock.millis();
    SessionRecord gone =
        replicas.update(
            sessionKey(id),
            cur -> {
              if (cur != null && Entry.decode(id, cur) instanceof Live l) {
                long idle = l.record().idleTimeout().toMillis();
                return Step.write(
                    Entry.encode(new Tomb(now + idle)), ttl(now + idle, now), l.record());
              }
              return Step.none(null);
            });
    if (gone == null) {
      return false;
    }
    if (gone.principal() != null) {
      principalIndex(gone.principal(), now, 0, ids -> without(ids, id));
    }
    return !gone.isExpired(clock.instant());
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    SessionIds.requireValid(oldId);
    SessionIds.requireValid(newId);
    long now = clock.millis();
    byte[] reservation = Entry.encode(new Tomb(now + marginMillis));
    boolean reserved =
        replicas.update(
            sessionKey(newId),
            cur ->
                isFree(newId, cur, now)
                    ? Step.write(reservation, ttl(now, now), true)
                    : Step.none(false));
    if (!reserved) {
      return SaveResult.idTaken();
    }
    SessionRecord detached =
        replicas.update(
            sessionKey(oldId),
            cur -> {
              if (cur != null
                  && Entry.decode(oldId, cur) instanceof Live l
                  && !l.record().isExpired(clock.instant())) {
                long idle = l.record().idleTimeout().toMillis();
                return Step.write(
                    Entry.encode(new Tomb(now + idle)), ttl(now + idle, now), l.record());
              }
              return Step.none(null);
            });
    if (detached == null) {
      replicas.update(
          sessionKey(newId),
          cur ->
              cur != null && java.util.Arrays.equals(cur, reservation)
                  ? Step.write(Entry.encode(new Swept()), ttl(now, now), true)
                  : Step.none(false));
      return SaveResult.gone();
    }
    SessionRecord moved = detached.withId(newId);
    replicas.update(
        sessionKey(newId),
        cur ->
            Step.write(
                Entry.encode(new Live(moved)), ttl(moved.expiresAt().toEpochMilli(), now), true));
    if (moved.principal() != null) {
      principalIndex(
          moved.principal(),
          now,
          moved.expiresAt().toEpochMilli(),
          ids -> with(without(ids, oldId), newId));
    }
    expiryAdd(newId, bucket(moved.expiresAt().toEpochMilli()));
    return SaveResult.saved(moved.version());
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    requireNonNull(principal, "principal");
    byte[] raw = replicas.read(principalKey(principal));
    return raw != null && Entry.decode("-", raw) instanceof Ids i ? i.ids() : Set.of();
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("sweep limit " + limit + " must be at least 1");
    }
    return new ExpirySweep(this, clock.millis(), limit).run();
  }

  /**
   * Also an outage: {@link MemcachedUnavailableException}, neither of a key's two holding nodes
   * reachable in time (while one of them answers, calls are served through it and do not fail).
   */
  @Override
  public boolean isOutage(RuntimeException failure) {
    return failure instanceof MemcachedUnavailableException || SessionStore.super.isOutage(failure);
  }

  @Override
  public void close() {
    replicas.close();
  }

  /** How many of the configured nodes this store takes as up now (connected, not failing). */
  public int nodesUp() {
    return replicas.nodesUp();
  }

  // ------------------------------------------------------------ used by ExpirySweep

  Replicas replicas() {
    return replicas;
  }

  long bucket(long millis) {
    return Math.floorDiv(millis, bucketMillis);
  }

  String bucketKey(long bucket) {
    return prefix + "x:" + bucket;
  }

  String lowKey() {
    return prefix + "xl";
  }

  String sessionKey(String id) {
    return prefix + "s:" + id;
  }

  /**
   * Changes the ids under {@code principal}'s index key; the key lives at least to {@code
   * keepUntil}.
   */
  void principalIndex(
      String principal, long now, long keepUntil, UnaryOperator<Set<String>> change) {
    idsUpdate(principalKey(principal), now, keepUntil, change);
  }

  /** Changes the ids under {@code key}; returns what is left. */
  Set<String> idsUpdate(String key, long now, long keepUntil, UnaryOperator<Set<String>> change) {
    return replicas.update(
        key,
        cur -> {
          Ids old =
              cur != null && Entry.decode("-", cur) instanceof Ids i ? i : new Ids(0, Set.of());
          Set<String> next = change.apply(old.ids());
          if (next.equals(old.ids()) && old.keepUntilMillis() >= keepUntil) {
            return Step.none(old.ids());
          }
          long keep = Math.max(old.keepUntilMillis(), keepUntil);
          return Step.write(Entry.encode(new Ids(keep, next)), ttl(keep, now), next);
        });
  }

  int ttl(long logicalEndMillis, long now) {
    long seconds = (Math.max(logicalEndMillis - now, 0) + marginMillis + 999) / 1000;
    return (int) Math.min(Math.max(seconds, 1), MAX_TTL_SECONDS);
  }

  static Set<String> with(Set<String> ids, String id) {
    Set<String> out = new LinkedHashSet<>(ids);
    out.add(id);
    return out;
  }

  static Set<String> without(Set<String> ids, String id) {
    Set<String> out = new LinkedHashSet<>(ids);
    out.remove(id);
    return out;
  }

  // ------------------------------------------------------------ internals

  /** Gives every node up to {@code millis} in total to connect; one that does not is down. */
  private static void awaitConnections(List<BinaryMemcacheClient<byte[]>> clients, long millis) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
    for (BinaryMemcacheClient<byte[]> c : clients) {
      try {
        c.awaitConnected(
            Math.max(deadline - System.nanoTime(), 0), java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // down for now: folsom keeps reconnecting, Replicas skips it until then
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while connecting to memcached", e);
      }
    }
  }

  private void indexAdded(SessionRecord s, long now) {
    long expires = s.expiresAt().toEpochMilli();
    if (s.principal() != null) {
      principalIndex(s.principal(), now, expires, ids -> with(ids, s.id()));
    }
    expiryAdd(s.id(), bucket(expires));
  }

  /** Adds {@code id} to expiry bucket {@code b} and lowers the low-water mark to it if needed. */
  void expiryAdd(String id, long b) {
    long now = clock.millis();
    idsUpdate(bucketKey(b), now, (b + 1) * bucketMillis + marginMillis, ids -> with(ids, id));
    if (knownLow.get() <= b) {
      return;
    }
    replicas.update(
        lowKey(),
        cur -> {
          if (cur != null && Entry.decode("-", cur) instanceof Low l && l.bucket() <= b) {
            knownLow.accumulateAndGet(l.bucket(), Math::min);
            return Step.none(false);
          }
          knownLow.accumulateAndGet(b, Math::min);
          return Step.write(Entry.encode(new Low(b)), 0, true);
        });
  }

  private boolean isFree(String id, byte[] cur, long now) {
    if (cur == null) {
      return true;
    }
    return switch (Entry.decode(id, cur)) {
      case Swept s -> true;
      case Tomb t -> t.endMillis() <= now;
      default -> false;
    };
  }

  private String principalKey(String principal) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(principal.getBytes(StandardCharsets.UTF_8));
      return prefix + "p:" + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
