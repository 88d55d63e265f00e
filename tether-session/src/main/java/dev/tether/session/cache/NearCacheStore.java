package dev.tether.session.cache;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * A store decorator that keeps recently used sessions in this app instance's memory — the
 * article's hybrid of sticky routing and a shared store.
 *
 * <p>Design: a cached session is only served after the store confirms it is current with {@link
 * SessionStore#currentVersion} (one small read, never the attributes). Every write anywhere bumps
 * the version, so a request that arrives after a failover, or after another node changed the
 * session, sees a version mismatch and does a full {@link SessionStore#load}: stale data is never
 * served. With sticky routing the versions match, so a request costs one version check and no full
 * read. After this node's own save the cache is advanced by merging the delta locally, but only
 * when the store's new version is exactly one past the cached one (no foreign write in between);
 * otherwise the entry is dropped. Bounded LRU; thread-safe by locking the map (held only for map
 * operations, never during store calls).
 *
 * <pre>{@code
 * SessionStore store = new NearCacheStore(new RedisSessionStore(...), 10_000);
 * }</pre>
 */
public final class NearCacheStore implements SessionStore {

  private final SessionStore delegate;
  private final Map<String, SessionRecord> cache;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /** Caches up to {@code maxEntries} sessions of {@code delegate}. */
  public NearCacheStore(SessionStore delegate, int maxEntries) {
    this.delegate = requireNonNull(delegate, "delegate");
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
          protected boolean removeEldestEntry(Map.Entry<String, SessionRecord> eldest) {
            return size() > maxEntries;
          }
        };
  }

  /** Loads answered from the cache after a version check. */
  public long hits() {
    return hits.sum();
  }

  /** Loads that needed a full read. */
  public long misses() {
    return misses.sum();
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
    SessionRecord cached = get(id);
    if (cached != null) {
      OptionalLong current = delegate.currentVersion(id);
      if (current.isEmpty()) {
        evict(id);
        misses.increment();
        return Optional.empty();
      }
      if (current.getAsLong() == cached.version()) {
        hits.increment();
        return Optional.of(cached);
      }
    }
    misses.increment();
    Optional<SessionRecord> loaded = delegate.load(id);
    loaded.ifPresentOrElse(this::put, () -> evict(id));
    return loaded;
  }

  @Override
  public OptionalLong currentVersion(String id) {
    return delegate.currentVersion(id);
  }

  @Override
  public SaveResult create(SessionRecord session) {
    SaveResult r = delegate.create(session);
    if (r.isSaved()) {
      put(session);
    }
    return r;
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    SessionRecord cached = get(delta.id());
    SaveResult r = delegate.save(delta);
    if (r.isSaved() && cached != null && r.version() == cached.version() + 1) {
      SessionRecord.Merge m = cached.merge(delta);
      synchronized (cache) {
        if (cache.get(delta.id()) == cached) {
          cache.put(delta.id(), m.record());
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
    boolean deleted = delegate.delete(id);
    evict(id);
    return deleted;
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    evict(oldId);
    SaveResult r = delegate.rotateId(oldId, newId);
    evict(oldId);
    return r;
  }

  @Override
  public java.util.List<String> owners(String id) {
    return delegate.owners(id);
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
    swept.forEach(r -> evict(r.id()));
    return swept;
  }

  @Override
  public void close() {
    synchronized (cache) {
      cache.clear();
    }
    delegate.close();
  }

  private SessionRecord get(String id) {
    synchronized (cache) {
      return cache.get(id);
    }
  }

  private void put(SessionRecord r) {
    synchronized (cache) {
      SessionRecord old = cache.get(r.id());
      if (old == null || old.version() <= r.version()) {
        cache.put(r.id(), r);
      }
    }
  }

  private void evict(String id) {
    synchronized (cache) {
      cache.remove(id);
    }
  }
}
