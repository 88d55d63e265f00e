package dev.tether.session.memory;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionIds;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Sessions in a {@link ConcurrentHashMap} of this JVM: the embedded default.
 *
 * <p>Design: every per-session operation is one {@code compute} on the session's map entry, so it
 * is atomic without a global lock; the principal index is updated inside that same {@code compute}
 * (a different map, so no recursive update). Id rotation touches two entries and therefore takes
 * the write side of a read/write lock that all other operations hold for reading; rotation is rare
 * (login, privilege change), so the read side is uncontended in practice. Entries are either a live
 * {@link SessionRecord} or a tombstone carrying its end; the sweep scans the map, which is linear
 * but lock-free and cheap for the session counts one JVM holds.
 *
 * <p>{@link #peer(Clock)} gives a second instance over the same data, standing in for another app
 * instance sharing a store.
 *
 * <pre>{@code
 * SessionStore store = new MemorySessionStore(Clock.systemUTC());
 * }</pre>
 */
public final class MemorySessionStore implements SessionStore {

  private sealed interface Entry permits Live, Tombstone {}

  private record Live(SessionRecord record) implements Entry {}

  private record Tombstone(Instant until) implements Entry {}

  private static final class Data {
    final ConcurrentHashMap<String, Entry> sessions = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, Set<String>> principals = new ConcurrentHashMap<>();
    final ReadWriteLock rotation = new ReentrantReadWriteLock();

    /** Near-cache invalidation subscribers of every peer, with the peer they belong to. */
    final java.util.concurrent.CopyOnWriteArrayList<Subscriber> subscribers =
        new java.util.concurrent.CopyOnWriteArrayList<>();
  }

  private record Subscriber(MemorySessionStore owner, java.util.function.Consumer<String> onId) {}

  private final Data data;
  private final Clock clock;
  private final dev.tether.session.spi.Invalidations invalidations =
      new dev.tether.session.spi.Invalidations() {
        /** Delivered synchronously to the other peers' subscribers: done when this returns. */
        @Override
        public void publish(String id) {
          for (Subscriber s : data.subscribers) {
            if (s.owner() != MemorySessionStore.this) {
              s.onId().accept(id);
            }
          }
        }

        @Override
        public AutoCloseable subscribe(java.util.function.Consumer<String> onId, Runnable onLost) {
          Subscriber s = new Subscriber(MemorySessionStore.this, requireNonNull(onId, "onId"));
          data.subscribers.add(s);
          return () -> data.subscribers.remove(s);
        }
      };

  /** An empty store judging expiry by {@code clock}. */
  public MemorySessionStore(Clock clock) {
    this(new Data(), clock);
  }

  private MemorySessionStore(Data data, Clock clock) {
    this.data = data;
    this.clock = requireNonNull(clock, "clock");
  }

  /** Another store instance over the same sessions (a second "node" in one JVM). */
  public MemorySessionStore peer(Clock peerClock) {
    return new MemorySessionStore(data, peerClock);
  }

  /**
   * Invalidations between the peers of this store ({@link #peer}), delivered synchronously: a
   * publish returns after every other peer's subscribers ran.
   */
  @Override
  public dev.tether.session.spi.Invalidations invalidations() {
    return invalidations;
  }

  /** Number of live (possibly expired but not yet swept) sessions. */
  public int size() {
    return (int) data.sessions.values().stream().filter(e -> e instanceof Live).count();
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    SessionIds.requireValid(id);
    return live(data.sessions.get(id), clock.instant());
  }

  @Override
  public OptionalLong currentVersion(String id) {
    return load(id).map(r -> OptionalLong.of(r.version())).orElseGet(OptionalLong::empty);
  }

  @Override
  public SaveResult create(SessionRecord session) {
    requireNonNull(session, "session");
    SaveResult[] result = {SaveResult.idTaken()};
    withReadLock(
        () ->
            data.sessions.compute(
                session.id(),
                (id, existing) -> {
                  if (existing != null && !isOver(existing, clock.instant())) {
                    return existing;
                  }
                  if (existing instanceof Live old) {
                    unindex(old.record());
                  }
                  index(session);
                  result[0] = SaveResult.saved(session.version());
                  return new Live(session);
                }));
    return result[0];
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    requireNonNull(delta, "delta");
    SaveResult[] result = {SaveResult.gone()};
    withReadLock(
        () ->
            data.sessions.computeIfPresent(
                delta.id(),
                (id, existing) -> {
                  Optional<SessionRecord> current = live(existing, clock.instant());
                  if (current.isEmpty()) {
                    return existing;
                  }
                  SessionRecord.Merge m = current.get().merge(delta);
                  reindex(current.get(), m.record());
                  result[0] = SaveResult.saved(m.record().version(), m.conflicts());
                  return new Live(m.record());
                }));
    return result[0];
  }

  @Override
  public boolean delete(String id) {
    SessionIds.requireValid(id);
    boolean[] deleted = {false};
    withReadLock(
        () ->
            data.sessions.computeIfPresent(
                id,
                (key, existing) -> {
                  if (!(existing instanceof Live l)) {
                    return existing;
                  }
                  unindex(l.record());
                  Instant now = clock.instant();
                  deleted[0] = !l.record().isExpired(now);
                  return new Tombstone(now.plus(l.record().idleTimeout()));
                }));
    return deleted[0];
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    SessionIds.requireValid(oldId);
    SessionIds.requireValid(newId);
    data.rotation.writeLock().lock();
    try {
      Instant now = clock.instant();
      Optional<SessionRecord> current = live(data.sessions.get(oldId), now);
      if (current.isEmpty()) {
        return SaveResult.gone();
      }
      Entry target = data.sessions.get(newId);
      if (target != null && !isOver(target, now)) {
        return SaveResult.idTaken();
      }
      SessionRecord moved = current.get().withId(newId);
      unindex(current.get());
      data.sessions.put(oldId, new Tombstone(now.plus(moved.idleTimeout())));
      data.sessions.put(newId, new Live(moved));
      index(moved);
      return SaveResult.saved(moved.version());
    } finally {
      data.rotation.writeLock().unlock();
    }
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    requireNonNull(principal, "principal");
    Set<String> ids = data.principals.get(principal);
    return ids == null ? Set.of() : Set.copyOf(ids);
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("sweep limit " + limit + " must be at least 1");
    }
    List<SessionRecord> swept = new ArrayList<>();
    withReadLock(
        () -> {
          Instant now = clock.instant();
          for (Map.Entry<String, Entry> e : data.sessions.entrySet()) {
            if (swept.size() >= limit) {
              break;
            }
            if (!isOver(e.getValue(), now)) {
              continue;
            }
            data.sessions.computeIfPresent(
                e.getKey(),
                (id, existing) -> {
                  if (!isOver(existing, now)) {
                    return existing;
                  }
                  if (existing instanceof Live l) {
                    unindex(l.record());
                    swept.add(l.record());
                  }
                  return null;
                });
          }
        });
    return swept;
  }

  private void withReadLock(Runnable action) {
    data.rotation.readLock().lock();
    try {
      action.run();
    } finally {
      data.rotation.readLock().unlock();
    }
  }

  /** Whether an entry no longer blocks its id: an expired session or a tombstone that ran out. */
  private static boolean isOver(Entry e, Instant now) {
    return switch (e) {
      case Live l -> l.record().isExpired(now);
      case Tombstone t -> !now.isBefore(t.until());
    };
  }

  private static Optional<SessionRecord> live(Entry e, Instant now) {
    if (e instanceof Live l && !l.record().isExpired(now)) {
      return Optional.of(l.record());
    }
    return Optional.empty();
  }

  private void reindex(SessionRecord before, SessionRecord after) {
    if (!java.util.Objects.equals(before.principal(), after.principal())) {
      unindex(before);
      index(after);
    }
  }

  private void index(SessionRecord r) {
    if (r.principal() != null) {
      data.principals.compute(
          r.principal(),
          (p, ids) -> {
            Set<String> set = ids != null ? ids : ConcurrentHashMap.newKeySet();
            set.add(r.id());
            return set;
          });
    }
  }

  private void unindex(SessionRecord r) {
    if (r.principal() != null) {
      data.principals.computeIfPresent(
          r.principal(),
          (p, ids) -> {
            ids.remove(r.id());
            return ids.isEmpty() ? null : ids;
          });
    }
  }
}
