package dev.tether.session.cache;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.Invalidations;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store decorator that keeps recently used sessions in this app instance's memory — the article's
 * hybrid of sticky routing and a shared store.
 *
 * <p>Design: a cached session is served after the store confirms it is current with {@link
 * SessionStore#currentVersion} (one small read, never the attributes). Every write anywhere bumps
 * the version, so a request that arrives after a failover, or after another node changed the
 * session, sees a version mismatch and does a full {@link SessionStore#load}: stale data is never
 * served. After this node's own save the cache is advanced by merging the delta locally, but only
 * when the store's new version is exactly one past the cached one (no foreign write in between);
 * otherwise the entry is dropped. Bounded LRU; thread-safe by locking the map (held only for map
 * operations, never during store calls).
 *
 * <p>Sticky hits with no store round trip: when the store has a publish/subscribe channel ({@link
 * SessionStore#invalidations()}) and the balancer says which binding a request arrived under
 * ({@link #load(String, String)}), an entry validated under that binding is served with no store
 * call at all, not even the version check, while it has not expired at this cache's clock. That is
 * sound because everything that could change the session elsewhere reaches this cache first as an
 * invalidation: a node that adopts a session under a new binding (a failover, a re-pin) publishes
 * before it serves it; a save through a node that does not hold the session bound (no binding, a
 * request that bypassed the balancer) publishes before it writes; a delete or id rotation (logout,
 * an admin or concurrent-session-limit invalidation from any node) publishes before it takes
 * effect; and a binding changes its epoch on every re-pin, so an old binding never matches again.
 * An invalidation that arrives while a validation is in flight keeps that entry unbound, and a lost
 * subscription drops every entry. Without a channel the binding is ignored and every read is
 * validated as before.
 *
 * <p>Bindings are trusted only when asked for ({@link #trustingBindings}): every instance over the
 * backend must then run that way and be reachable only through the balancer, and the publishes cost
 * a round trip on the (rare) paths above. Redis delivers a published message one network hop after
 * {@code PUBLISH} returns, so there a change elsewhere reaches this cache within that hop; the
 * memory store's peers deliver before {@code publish} returns.
 *
 * <pre>{@code
 * SessionStore store = new NearCacheStore(new RedisSessionStore(...), 10_000);
 * SessionStore behindTether = NearCacheStore.trustingBindings(new RedisSessionStore(...), 10_000, clock);
 * }</pre>
 */
public final class NearCacheStore implements SessionStore {

  private static final Logger log = LoggerFactory.getLogger(NearCacheStore.class);

  /** A cached session and the binding it was validated under ({@code null}: none). */
  private record Cached(SessionRecord record, String binding) {}

  private final SessionStore delegate;
  private final Map<String, Cached> cache;
  private final Clock clock;
  private final Invalidations bus;
  private final AutoCloseable subscription;

  /** Counts invalidations received, so a validation can tell that one arrived meanwhile. */
  private final AtomicLong invalidationSeq = new AtomicLong();

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder boundHits = new LongAdder();
  private final LongAdder published = new LongAdder();

  /** Caches up to {@code maxEntries} sessions of {@code delegate}, validating every read. */
  public NearCacheStore(SessionStore delegate, int maxEntries) {
    this(delegate, maxEntries, Clock.systemUTC());
  }

  /**
   * Caches up to {@code maxEntries} sessions of {@code delegate} and serves those bound to the
   * request's balancer binding with no store call, when {@code delegate} has a publish/subscribe
   * channel ({@link SessionStore#invalidations()}; otherwise as the plain constructor). Expiry of
   * bound entries is judged by {@code clock}.
   */
  public static NearCacheStore trustingBindings(
      SessionStore delegate, int maxEntries, Clock clock) {
    return new NearCacheStore(delegate, maxEntries, clock, true);
  }

  /** Caches up to {@code maxEntries} sessions of {@code delegate}, validating every read. */
  public NearCacheStore(SessionStore delegate, int maxEntries, Clock clock) {
    this(delegate, maxEntries, clock, false);
  }

  private NearCacheStore(SessionStore delegate, int maxEntries, Clock clock, boolean bindings) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.clock = requireNonNull(clock, "clock");
    if (delegate instanceof dev.tether.session.spi.ClientSideStore) {
      throw new IllegalArgumentException(
          "a near cache over a client-side store has nothing to cache (the session comes with each"
              + " request) and would hide the store from the servlet filter; use the store directly");
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("near cache size " + maxEntries + " must be at least 1");
    }
    this.cache =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > maxEntries;
          }
        };
    this.bus = bindings ? delegate.invalidations() : null;
    this.subscription = bus == null ? null : bus.subscribe(this::invalidated, this::lost);
  }

  /** Loads answered from the cache (after a version check, or under their binding without one). */
  public long hits() {
    return hits.sum();
  }

  /**
   * Loads answered under the request's binding with no store call at all (part of {@link #hits}).
   */
  public long boundHits() {
    return boundHits.sum();
  }

  /** Loads that needed a full read. */
  public long misses() {
    return misses.sum();
  }

  /** Invalidations this cache published to the other instances. */
  public long published() {
    return published.sum();
  }

  /** Hits over all loads, 0 when there were none. */
  public double hitRatio() {
    long h = hits.sum();
    long total = h + misses.sum();
    return total == 0 ? 0 : (double) h / total;
  }

  /** Sessions currently cached. */
  public int size() {
    synchronized (cache) {
      return cache.size();
    }
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    return load(id, null);
  }

  @Override
  public Optional<SessionRecord> load(String id, String binding) {
    Cached cached = get(id);
    boolean bound = bus != null && binding != null && bus.live();
    if (bound
        && cached != null
        && binding.equals(cached.binding())
        && !cached.record().isExpired(clock.instant())) {
      boundHits.increment();
      hits.increment();
      return Optional.of(cached.record());
    }
    long seq = invalidationSeq.get();
    if (cached != null) {
      OptionalLong current = delegate.currentVersion(id);
      if (current.isEmpty()) {
        evict(id);
        misses.increment();
        return Optional.empty();
      }
      if (current.getAsLong() == cached.record().version()) {
        hits.increment();
        if (bound) {
          adopt(cached, binding, seq);
        }
        return Optional.of(cached.record());
      }
    }
    misses.increment();
    Optional<SessionRecord> loaded = delegate.load(id);
    if (loaded.isEmpty()) {
      evict(id);
      return loaded;
    }
    Cached fresh = new Cached(loaded.get(), null);
    put(fresh);
    if (bound) {
      adopt(fresh, binding, seq);
    }
    return loaded;
  }

  /**
   * Binds {@code e} (just validated) to {@code binding}: first tells the other instances, which may
   * hold the session under an older binding of theirs, then marks the entry, unless an invalidation
   * arrived since the validation began or the entry was replaced meanwhile.
   */
  private void adopt(Cached e, String binding, long seq) {
    if (binding.equals(e.binding())) {
      return;
    }
    publish(e.record().id());
    synchronized (cache) {
      if (cache.get(e.record().id()) == e && invalidationSeq.get() == seq) {
        cache.put(e.record().id(), new Cached(e.record(), binding));
      }
    }
  }

  @Override
  public OptionalLong currentVersion(String id) {
    return delegate.currentVersion(id);
  }

  @Override
  public SaveResult create(SessionRecord session) {
    SaveResult r = delegate.create(session);
    if (r.isSaved()) {
      put(new Cached(session, null));
    }
    return r;
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    Cached cached = get(delta.id());
    if (cached == null || cached.binding() == null) {
      publish(delta.id()); // a change outside the sticky path: others drop their copy first
    }
    SaveResult r = delegate.save(delta);
    if (r.isSaved() && cached != null && r.version() == cached.record().version() + 1) {
      SessionRecord.Merge m = cached.record().merge(delta);
      synchronized (cache) {
        if (cache.get(delta.id()) == cached) {
          cache.put(delta.id(), new Cached(m.record(), cached.binding()));
        }
      }
    } else {
      evict(delta.id());
    }
    return r;
  }

  @Override
  public boolean delete(String id) {
    evict(id);
    publish(id);
    boolean deleted = delegate.delete(id);
    evict(id);
    return deleted;
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    evict(oldId);
    publish(oldId);
    SaveResult r = delegate.rotateId(oldId, newId);
    evict(oldId);
    return r;
  }

  @Override
  public java.util.List<String> owners(String id) {
    return delegate.owners(id);
  }

  @Override
  public Invalidations invalidations() {
    return bus;
  }

  /** The wrapped store's capabilities. */
  @Override
  public Set<dev.tether.session.spi.StoreCapability> capabilities() {
    return delegate.capabilities();
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    return delegate.findByPrincipal(principal);
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    List<SessionRecord> swept = delegate.sweepExpired(limit);
    for (SessionRecord r : swept) {
      evict(r.id());
      publish(r.id()); // already over by every clock; frees the other caches' copies
    }
    return swept;
  }

  /** The wrapped store's judgement. */
  @Override
  public boolean isOutage(RuntimeException failure) {
    return delegate.isOutage(failure);
  }

  @Override
  public void close() {
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        log.warn("ending the near cache's invalidation subscription failed: {}", e.toString());
      }
    }
    synchronized (cache) {
      cache.clear();
    }
    delegate.close();
  }

  private void publish(String id) {
    if (bus != null) {
      bus.publish(id);
      published.increment();
    }
  }

  private void invalidated(String id) {
    invalidationSeq.incrementAndGet();
    evict(id);
  }

  private void lost() {
    invalidationSeq.incrementAndGet();
    synchronized (cache) {
      cache.clear();
    }
  }

  private Cached get(String id) {
    synchronized (cache) {
      return cache.get(id);
    }
  }

  private void put(Cached e) {
    synchronized (cache) {
      Cached old = cache.get(e.record().id());
      if (old == null || old.record().version() <= e.record().version()) {
        cache.put(e.record().id(), e);
      }
    }
  }

  private void evict(String id) {
    synchronized (cache) {
      cache.remove(id);
    }
  }
}
