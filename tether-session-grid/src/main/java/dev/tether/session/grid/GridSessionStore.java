package dev.tether.session.grid;

import static java.util.Objects.requireNonNull;

import dev.tether.session.circuit.StoreUnavailableException;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionIds;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.StoreFailures;
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
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.infinispan.Cache;
import org.infinispan.commons.util.CloseableIterator;
import org.infinispan.context.Flag;
import org.infinispan.distribution.DistributionInfo;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.remoting.transport.Address;

/**
 * Sessions replicated in memory across the app instances themselves: an embedded Infinispan {@code
 * DIST_SYNC} cache with two (configurable) owners per session, clustered over JGroups TCP.
 *
 * <p>Design notes:
 *
 * <ul>
 *   <li><b>Values</b> are {@code byte[]} written by {@link SessionEntryCodec} (meta data,
 *       principal, and per attribute its bytes and version), never Java objects: no Java
 *       serialization, no ProtoStream schema to deploy on every member, and Infinispan compares
 *       them byte for byte in conditional operations.
 *   <li><b>Atomic writes</b>: the sessions cache is transactional with pessimistic locking. Every
 *       write takes the key's cluster-wide lock at its primary owner, reads, applies {@link
 *       SessionRecord#merge} (exactly the reference semantics) and writes, then commits to all
 *       owners. A first version used an optimistic loop ({@code get}, then {@code replace(id, read,
 *       merged)}); measured with 8 writers on one session through two members, writers on the
 *       primary owner won nearly every race and those on the other member completed about 5 saves
 *       in 30 s against thousands: optimistic retries starve remote members. The lock queue is
 *       fair. {@code compute} with a lambda is not used because the lambda would have to be
 *       marshalled to the owner.
 *   <li><b>Rotation</b> locks both ids (in sorted order, so concurrent rotations cannot deadlock)
 *       and writes the new record and the old id's tombstone in one transaction: atomic across the
 *       cluster; a save racing it either lands before (and is carried over) or sees the tombstone.
 *   <li><b>Tombstones</b> are entries of their own kind under the dead id, ending one idle timeout
 *       after the delete or rotation at the store's clock; a write never turns a missing entry or a
 *       tombstone into a session, so nothing is resurrected (Spring Session #2021, Jetty #3277).
 *   <li><b>Time</b>: liveness is judged only by the store's clock ({@link
 *       SessionRecord#isExpired}); each entry also gets an Infinispan lifespan of its remaining
 *       logical lifetime plus {@link GridSettings#expiryGrace()}, a safety net that frees memory
 *       should no sweep ever run.
 *   <li><b>Sweep exactly once</b>: iterate all entries (cluster-wide), and for each one that is
 *       over at the store's clock claim it with {@code remove(id, valueRead)}, which holds the
 *       key's lock: exactly one of several concurrent sweepers (on any member) wins, and only the
 *       winner returns the session and cleans its principal index entry. The iteration is linear in
 *       the number of sessions; run it every minute or so with a generous limit, not per request.
 *   <li><b>Principal index</b>: see {@link PrincipalIndex}; updated after the session write
 *       commits. {@link #findByPrincipal} checks each id against its session entry, so an index
 *       update that lost a race never shows a deleted or rotated-away id, and stale ids are dropped
 *       as found.
 *   <li><b>Owners</b>: {@link #owners} reads the key's write owners (primary, then backups) from
 *       the member's local copy of the cache topology, no network call, and names them by their
 *       node names, which are the balancer's server names when {@link GridSettings#instanceName()}
 *       is set on every member. Reads on the request path ({@link #load}, {@link #currentVersion})
 *       are counted as local (this member is a read owner of the key) or remote, so failover to a
 *       replica owner can be shown to read nothing over the network.
 *   <li><b>Outages</b>: a call the grid cannot serve now (a remote call or a lock that timed out, a
 *       member suspected or unreachable, no available partition, the member stopping or stopped,
 *       back-pressure; see {@link #isGridOutage}) fails with {@link StoreUnavailableException}
 *       naming the operation, the Infinispan exception as its cause, so the servlet filter answers
 *       {@code 503} and a circuit breaker counts it, also when the cache wraps the cause in a
 *       {@code CacheException} or a transaction's rollback. A write whose lock timed out is run
 *       once more first (see {@link #locked}). As with every store, a write that failed this way is
 *       not acknowledged, though a commit that timed out may still have been applied.
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
  private final LockedWrites writes;
  private final Clock clock;
  private final long graceMs;
  private final LongAdder localReads = new LongAdder();
  private final LongAdder remoteReads = new LongAdder();

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
    this.writes = new LockedWrites(sessions);
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

  /**
   * The members holding {@code id} in their memory, primary first, by node name; empty when this
   * member has no {@link GridSettings#instanceName() instance name} (its names would mean nothing
   * to the balancer) or the topology is not known yet. Reads only local state.
   */
  @Override
  public List<String> owners(String id) {
    SessionIds.requireValid(id);
    if (member.settings().instanceName() == null) {
      return List.of();
    }
    DistributionInfo info = distribution(id);
    if (info == null) {
      return List.of();
    }
    List<Address> owners = info.writeOwners();
    List<String> names = new ArrayList<>(owners.size());
    for (Address a : owners) {
      names.add(a.toString());
    }
    return names;
  }

  /**
   * Request-path reads ({@link #load}, {@link #currentVersion}) this member answered from its own
   * memory.
   */
  public long localReads() {
    return localReads.sum();
  }

  /** Request-path reads that went to another member because this one does not own the key. */
  public long remoteReads() {
    return remoteReads.sum();
  }

  private DistributionInfo distribution(String id) {
    DistributionManager dm = sessions.getAdvancedCache().getDistributionManager();
    return dm == null || dm.getCacheTopology() == null
        ? null
        : dm.getCacheTopology().getDistribution(id);
  }

  /** Reads {@code id} for a request, counting whether the read stayed in this member. */
  private byte[] read(String id) {
    DistributionInfo info = distribution(id);
    if (info == null || info.isReadOwner()) {
      localReads.increment();
    } else {
      remoteReads.increment();
    }
    return sessions.get(id);
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    return guard(
        "load",
        () -> {
          SessionIds.requireValid(id);
          byte[] entry = read(id);
          if (!isLiveAt(entry, clock.instant())) {
            return Optional.empty();
          }
          return Optional.of(SessionEntryCodec.read(id, entry));
        });
  }

  @Override
  public OptionalLong currentVersion(String id) {
    return guard(
        "current-version",
        () -> {
          SessionIds.requireValid(id);
          byte[] entry = read(id);
          if (!isLiveAt(entry, clock.instant())) {
            return OptionalLong.empty();
          }
          return OptionalLong.of(SessionEntryCodec.version(entry));
        });
  }

  @Override
  public SaveResult create(SessionRecord session) {
    return guard(
        "create",
        () -> {
          requireNonNull(session, "session");
          byte[] value = SessionEntryCodec.live(session);
          boolean written =
              writes.locked(
                  () -> {
                    Instant now = clock.instant();
                    if (!isFree(sessions.get(session.id()), now)) {
                      return false;
                    }
                    write(session.id(), value, lifespan(session, now));
                    return true;
                  },
                  session.id());
          if (!written) {
            return SaveResult.idTaken();
          }
          indexAdd(session);
          return SaveResult.saved(session.version());
        });
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    return guard(
        "save",
        () -> {
          requireNonNull(delta, "delta");
          SessionRecord[] before = new SessionRecord[1];
          SessionRecord.Merge m =
              writes.locked(
                  () -> {
                    Instant now = clock.instant();
                    byte[] current = sessions.get(delta.id());
                    if (!isLiveAt(current, now)) {
                      return null;
                    }
                    before[0] = SessionEntryCodec.read(delta.id(), current);
                    SessionRecord.Merge merged = before[0].merge(delta);
                    write(
                        delta.id(),
                        SessionEntryCodec.live(merged.record()),
                        lifespan(merged.record(), now));
                    return merged;
                  },
                  delta.id());
          if (m == null) {
            return SaveResult.gone();
          }
          if (!Objects.equals(before[0].principal(), m.record().principal())) {
            if (before[0].principal() != null) {
              index.remove(before[0].principal(), delta.id());
            }
            reconcileIndex(delta.id());
          }
          return SaveResult.saved(m.record().version(), m.conflicts());
        });
  }

  @Override
  public boolean delete(String id) {
    return guard(
        "delete",
        () -> {
          SessionIds.requireValid(id);
          Instant now = clock.instant();
          SessionRecord deleted =
              writes.locked(
                  () -> {
                    byte[] current = sessions.get(id);
                    if (current == null || !SessionEntryCodec.isLive(current)) {
                      return null;
                    }
                    SessionRecord r = SessionEntryCodec.read(id, current);
                    write(id, tombstone(r, now), tombstoneLifespan(r));
                    return r;
                  },
                  id);
          if (deleted == null) {
            return false;
          }
          indexRemove(deleted);
          return !deleted.isExpired(now);
        });
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    return guard(
        "rotate-id",
        () -> {
          SessionIds.requireValid(oldId);
          SessionIds.requireValid(newId);
          SaveResult[] outcome = {SaveResult.gone()};
          SessionRecord before =
              writes.locked(
                  () -> {
                    Instant now = clock.instant();
                    byte[] current = sessions.get(oldId);
                    if (!isLiveAt(current, now)) {
                      return null;
                    }
                    if (!isFree(sessions.get(newId), now)) {
                      outcome[0] = SaveResult.idTaken();
                      return null;
                    }
                    SessionRecord r = SessionEntryCodec.read(oldId, current);
                    SessionRecord moved = r.withId(newId);
                    write(newId, SessionEntryCodec.live(moved), lifespan(moved, now));
                    write(oldId, tombstone(r, now), tombstoneLifespan(r));
                    return r;
                  },
                  oldId,
                  newId);
          if (before == null) {
            return outcome[0];
          }
          SessionRecord moved = before.withId(newId);
          indexAdd(moved);
          indexRemove(before);
          return SaveResult.saved(moved.version());
        });
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    return guard(
        "find-by-principal",
        () -> {
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
        });
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    return guard(
        "sweep-expired",
        () -> {
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
        });
  }

  /**
   * Also an outage: any of Infinispan's {@linkplain GridOutages#isOutage outage exceptions}
   * anywhere in the failure's causes (or suppressed exceptions), and a {@link
   * StoreUnavailableException} this store threw for one.
   */
  @Override
  public boolean isOutage(RuntimeException failure) {
    if (failure instanceof StoreUnavailableException) {
      return true;
    }
    if (failure instanceof IllegalArgumentException
        || failure instanceof UnsupportedOperationException
        || failure instanceof NullPointerException) {
      return false;
    }
    return GridOutages.isOutage(failure) || StoreFailures.isOutage(failure);
  }

  /**
   * Runs one store operation, turning an outage of the grid into {@link StoreUnavailableException}
   * (the store's answers and refusals of a bad call pass unchanged).
   */
  private <T> T guard(String operation, Supplier<T> call) {
    try {
      return call.get();
    } catch (StoreUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      if (!isOutage(e)) {
        throw e;
      }
      throw new StoreUnavailableException(
          "grid",
          clock.instant(),
          Duration.ZERO,
          "session store 'grid': " + operation + " failed, the grid cannot serve it now: " + e,
          e);
    }
  }

  /** Stops the member if this store started it; a shared member keeps running. */
  @Override
  public void close() {
    if (ownsMember) {
      member.close();
    }
  }

  private void write(String id, byte[] value, long lifespanMs) {
    sessions.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES).put(id, value, lifespanMs, MS);
  }

  /** Whether an id may be (re)used: never written, or a tombstone that ran out. */
  private static boolean isFree(byte[] entry, Instant now) {
    return entry == null
        || (!SessionEntryCodec.isLive(entry) && SessionEntryCodec.isOver(entry, now));
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
    return entry != null
        && SessionEntryCodec.isLive(entry)
        && !SessionEntryCodec.isOver(entry, now);
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
