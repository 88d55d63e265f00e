package dev.tether.session.grid;

import static java.util.Objects.requireNonNull;

import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionIds;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.infinispan.Cache;
import org.infinispan.commons.util.CloseableIterator;

/**
 * Sessions replicated in memory across the app instances themselves: an embedded Infinispan {@code
 * DIST_SYNC} cache with two (configurable) owners per session, clustered over JGroups TCP.
 *
 * <p>Design notes:
 *
 * <ul>
 *   <li><b>Values</b> are {@code byte[]} written by {@link SessionEntryCodec} (meta data, principal,
 *       and per attribute its bytes and version), never Java objects: no Java serialization, no
 *       ProtoStream schema to deploy on every member, and Infinispan compares them byte for byte in
 *       conditional operations.
 *   <li><b>Atomic writes</b> are optimistic: read the entry, {@link SessionRecord#merge} the delta
 *       (exactly the reference semantics), then {@code replace(id, read, merged)}, which the key's
 *       primary owner applies under its key lock only if the value is still the one read; on a lost
 *       race the loop re-reads and merges again. {@code compute} with a lambda is not used because
 *       the lambda would have to be marshalled to the primary owner. Every written value carries a
 *       new version, so Infinispan's retry of a conditional write during a topology change
 *       ("expected or already new") can never confuse two writes.
 *   <li><b>Tombstones</b> are entries of their own kind under the dead id, ending one idle timeout
 *       after the delete or rotation at the store's clock; a write never turns a missing entry or a
 *       tombstone into a session, so nothing is resurrected (Spring Session #2021, Jetty #3277).
 *   <li><b>Time</b>: liveness is judged only by the store's clock ({@link SessionRecord#isExpired});
 *       each entry also gets an Infinispan lifespan of its remaining logical lifetime plus {@link
 *       GridSettings#expiryGrace()}, a safety net that frees memory should no sweep ever run.
 *   <li><b>Sweep exactly once</b>: iterate all entries (cluster-wide), and for each one that is over
 *       at the store's clock claim it with {@code remove(id, valueRead)}; the primary owner lets
 *       exactly one of several concurrent sweepers (on any member) win, and only the winner returns
 *       the session and cleans its principal index entry. The iteration is linear in the number of
 *       sessions; run it every minute or so with a generous limit, not per request.
 *   <li><b>Rotation</b> touches two keys: first reserve the new id with {@code putIfAbsent} (taken:
 *       nothing changes), then swap the old id for a tombstone with a conditional replace; a save
 *       that slips in between makes the replace fail, and the loop re-copies the newer record to
 *       the still-private new id. A save on the old id after the swap sees the tombstone: it is
 *       either in the rotated session or answered {@code GONE}, never lost.
 *   <li><b>Principal index</b>: see {@link PrincipalIndex}; {@link #findByPrincipal} also checks
 *       each id against its session entry, so an index update that lost a race never shows a
 *       deleted or rotated-away id, and stale ids are dropped as they are found.
 * </ul>
 *
 * <pre>{@code
 * GridSettings s = GridSettings.loopback("shop", 7800, List.of(
 *     new InetSocketAddress("127.0.0.1", 7800), new InetSocketAddress("127.0.0.1", 7801)));
 * try (SessionStore store = GridSessionStore.start(s, Clock.systemUTC())) {
 *   store.create(SessionRecord.create(id, now, idle, absolute, null, Map.of()));
 * }
 * }</pre>
 */
public final class GridSessionStore implements SessionStore {

  private static final TimeUnit MS = TimeUnit.MILLISECONDS;

  private final GridMember member;
  private final boolean ownsMember;
  private final Cache<String, byte[]> sessions;
  private final PrincipalIndex index;
  private final Clock clock;
  private final long graceMs;

  /**
   * A store over a running member that others may share; {@link #close()} leaves the member
   * running.
   */
  public GridSessionStore(GridMember member, Clock clock) {
    this(member, clock, false);
  }

  private GridSessionStore(GridMember member, Clock clock, boolean ownsMember) {
    this.member = requireNonNull(member, "member");
    this.clock = requireNonNull(clock, "clock");
    this.ownsMember = ownsMember;
    this.sessions = member.sessions();
    this.graceMs = member.settings().expiryGrace().toMillis();
    this.index = new PrincipalIndex(member.principals(), clock, member.settings().expiryGrace());
  }

  /** Starts a member of its own and a store over it; {@link #close()} stops the member. */
  public static GridSessionStore start(GridSettings settings, Clock clock) {
    requireNonNull(clock, "clock");
    return new GridSessionStore(GridMember.start(settings), clock, true);
  }

  /** The member this store talks to. */
  public GridMember member() {
    return member;
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    SessionIds.requireValid(id);
    byte[] entry = sessions.get(id);
    if (!isLiveAt(entry, clock.instant())) {
      return Optional.empty();
    }
    return Optional.of(SessionEntryCodec.read(id, entry));
  }

  @Override
  public OptionalLong currentVersion(String id) {
    SessionIds.requireValid(id);
    byte[] entry = sessions.get(id);
    if (!isLiveAt(entry, clock.instant())) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(SessionEntryCodec.version(entry));
  }

  @Override
  public SaveResult create(SessionRecord session) {
    requireNonNull(session, "session");
    byte[] value = SessionEntryCodec.live(session);
    while (true) {
      Instant now = clock.instant();
      byte[] current = sessions.get(session.id());
      boolean written;
      if (current == null) {
        written = sessions.putIfAbsent(session.id(), value, lifespan(session, now), MS) == null;
      } else if (!SessionEntryCodec.isLive(current) && SessionEntryCodec.isOver(current, now)) {
        written = sessions.replace(session.id(), current, value, lifespan(session, now), MS);
      } else {
        return SaveResult.idTaken();
      }
      if (written) {
        indexAdd(session);
        return SaveResult.saved(session.version());
      }
    }
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    requireNonNull(delta, "delta");
    while (true) {
      Instant now = clock.instant();
      byte[] current = sessions.get(delta.id());
      if (!isLiveAt(current, now)) {
        return SaveResult.gone();
      }
      SessionRecord before = SessionEntryCodec.read(delta.id(), current);
      SessionRecord.Merge m = before.merge(delta);
      byte[] next = SessionEntryCodec.live(m.record());
      if (sessions.replace(delta.id(), current, next, lifespan(m.record(), now), MS)) {
        if (!Objects.equals(before.principal(), m.record().principal())) {
          if (before.principal() != null) {
            index.remove(before.principal(), delta.id());
          }
          reconcileIndex(delta.id());
        }
        return SaveResult.saved(m.record().version(), m.conflicts());
      }
    }
  }

  @Override
  public boolean delete(String id) {
    SessionIds.requireValid(id);
    while (true) {
      Instant now = clock.instant();
      byte[] current = sessions.get(id);
      if (current == null || !SessionEntryCodec.isLive(current)) {
        return false;
      }
      SessionRecord r = SessionEntryCodec.read(id, current);
      if (sessions.replace(id, current, tombstone(r, now), tombstoneLifespan(r), MS)) {
        indexRemove(r);
        return !r.isExpired(now);
      }
    }
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    SessionIds.requireValid(oldId);
    SessionIds.requireValid(newId);
    Instant now = clock.instant();
    byte[] current = sessions.get(oldId);
    if (!isLiveAt(current, now)) {
      return SaveResult.gone();
    }
    SessionRecord moved = SessionEntryCodec.read(oldId, current).withId(newId);
    byte[] reserved = SessionEntryCodec.live(moved);
    if (!reserve(newId, reserved, moved, now)) {
      return SaveResult.idTaken();
    }
    while (true) {
      SessionRecord before = SessionEntryCodec.read(oldId, current);
      if (sessions.replace(oldId, current, tombstone(before, now), tombstoneLifespan(before), MS)) {
        indexAdd(moved);
        indexRemove(before);
        return SaveResult.saved(moved.version());
      }
      now = clock.instant();
      current = sessions.get(oldId);
      if (!isLiveAt(current, now)) {
        sessions.remove(newId, reserved);
        return SaveResult.gone();
      }
      moved = SessionEntryCodec.read(oldId, current).withId(newId);
      byte[] newer = SessionEntryCodec.live(moved);
      if (!sessions.replace(newId, reserved, newer, lifespan(moved, now), MS)) {
        throw new IllegalStateException(
            "the new id of a rotation changed before the rotation finished");
      }
      reserved = newer;
    }
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    requireNonNull(principal, "principal");
    Set<String> found = new LinkedHashSet<>();
    for (String id : index.ids(principal)) {
      byte[] entry = sessions.get(id);
      if (entry != null
          && SessionEntryCodec.isLive(entry)
          && principal.equals(SessionEntryCodec.principal(entry))) {
        found.add(id);
      } else {
        index.remove(principal, id);
      }
    }
    return Set.copyOf(found);
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("sweep limit " + limit + " must be at least 1");
    }
    Instant now = clock.instant();
    List<SessionRecord> swept = new ArrayList<>();
    try (CloseableIterator<Map.Entry<String, byte[]>> it = sessions.entrySet().iterator()) {
      while (it.hasNext() && swept.size() < limit) {
        Map.Entry<String, byte[]> e = it.next();
        byte[] entry = e.getValue();
        if (!SessionEntryCodec.isOver(entry, now)) {
          continue;
        }
        if (sessions.remove(e.getKey(), entry) && SessionEntryCodec.isLive(entry)) {
          SessionRecord r = SessionEntryCodec.read(e.getKey(), entry);
          indexRemove(r);
          swept.add(r);
        }
      }
    }
    return swept;
  }

  /** Stops the member if this store started it; a shared member keeps running. */
  @Override
  public void close() {
    if (ownsMember) {
      member.close();
    }
  }

  private boolean reserve(String newId, byte[] value, SessionRecord moved, Instant now) {
    while (true) {
      byte[] target = sessions.get(newId);
      if (target == null) {
        if (sessions.putIfAbsent(newId, value, lifespan(moved, now), MS) == null) {
          return true;
        }
      } else if (!SessionEntryCodec.isLive(target) && SessionEntryCodec.isOver(target, now)) {
        if (sessions.replace(newId, target, value, lifespan(moved, now), MS)) {
          return true;
        }
      } else {
        return false;
      }
    }
  }

  private void reconcileIndex(String id) {
    byte[] entry = sessions.get(id);
    if (isLiveAt(entry, clock.instant())) {
      indexAdd(SessionEntryCodec.read(id, entry));
    }
  }

  private void indexAdd(SessionRecord r) {
    if (r.principal() != null) {
      index.add(r.principal(), r.id(), r.createdAt().plus(r.absoluteTimeout()));
    }
  }

  private void indexRemove(SessionRecord r) {
    if (r.principal() != null) {
      index.remove(r.principal(), r.id());
    }
  }

  private static boolean isLiveAt(byte[] entry, Instant now) {
    return entry != null && SessionEntryCodec.isLive(entry) && !SessionEntryCodec.isOver(entry, now);
  }

  private static byte[] tombstone(SessionRecord r, Instant now) {
    return SessionEntryCodec.tombstone(now.plus(r.idleTimeout()));
  }

  private long tombstoneLifespan(SessionRecord r) {
    return r.idleTimeout().toMillis() + graceMs;
  }

  private long lifespan(SessionRecord r, Instant now) {
    return Math.max(Duration.between(now, r.expiresAt()).toMillis(), 0) + graceMs;
  }

  @Override
  public String toString() {
    return "GridSessionStore[" + member.settings().clusterName() + ", " + member.members() + "]";
  }
}
