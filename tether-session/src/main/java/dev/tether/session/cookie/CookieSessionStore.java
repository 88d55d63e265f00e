package dev.tether.session.cookie;

import static java.util.Objects.requireNonNull;

import dev.tether.session.codec.EncryptionKeys;
import dev.tether.session.spi.ClientSideStore;
import dev.tether.session.spi.SaveResult;
import dev.tether.session.spi.SessionDelta;
import dev.tether.session.spi.SessionIds;
import dev.tether.session.spi.SessionRecord;
import dev.tether.session.spi.SessionStore;
import dev.tether.session.spi.StoreCapability;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Client-side sessions: the whole session, sealed with AES-256-GCM under the key ring ({@link
 * EncryptionKeys}: new seals use the current key, older keys still open, and a session opened under
 * an old key is re-sealed at once so the response carries the new seal), deflated first, split over
 * the cookies {@code NAME}, {@code NAME.1}, ... A read needs no store round trip for the session
 * itself.
 *
 * <p><b>What a server remembers.</b> With a revocation store (any {@link SessionStore}, e.g. Redis
 * under its own key prefix), {@link #delete} and {@link #rotateId} record a tombstone for the id
 * and a principal change records the new version as the lowest accepted, each until the session's
 * absolute timeout: a cookie of a logged-out or rotated-away id, or from before a login or logout,
 * is refused ({@link #receive} reads that list once per request; loads and saves during the request
 * do not, as a server store's request works on the session it loaded). With {@link
 * CookieStoreSettings#trackEveryWrite()} every write records its version, so a replay of any
 * earlier cookie is refused. Without a revocation store the server keeps nothing: a copy of the
 * cookie taken before a logout opens until the session's absolute timeout (the seal carries it).
 *
 * <p><b>Design.</b> Between {@link #receive} (or {@link #create}) and the last {@link #release},
 * the id's sealed value is held in memory, so the manager's load, save, rotation and delete work by
 * id, and concurrent requests of one session on this instance merge their deltas exactly as a
 * server store does; the value is always kept sealed and opened on each load. Writes are serialised
 * per id by striped locks (a rotation takes both ids' stripes in order). The store cannot list
 * sessions by principal or sweep expired ones (they expire in the browser): {@link #capabilities()}
 * is empty and those calls throw {@link UnsupportedOperationException}.
 */
public final class CookieSessionStore implements ClientSideStore {

  private static final int STRIPES = 64;

  private final SessionSeal seal;
  private final CookieStoreSettings settings;
  private final Revocations revocations;
  private final Clock clock;
  private final ConcurrentHashMap<String, Held> held;
  private final Object[] locks;

  /**
   * A cookie store.
   *
   * @param keys the key ring; every key must be 32 bytes (AES-256)
   * @param settings cookie name and limits
   * @param revocationStore where logouts are remembered, or {@code null} for no server state
   * @param clock judges expiry, as for every store
   * @param random nonces
   */
  public CookieSessionStore(
      EncryptionKeys keys,
      CookieStoreSettings settings,
      SessionStore revocationStore,
      Clock clock,
      SecureRandom random) {
    this(
        new SessionSeal(keys, settings, requireNonNull(random, "random")),
        settings,
        new Revocations(revocationStore, requireNonNull(clock, "clock")),
        clock,
        new ConcurrentHashMap<>(),
        newLocks());
    if (settings.trackEveryWrite() && revocationStore == null) {
      throw new IllegalArgumentException(
          "track-every-write needs a revocation store: without server state no version is recorded");
    }
  }

  private CookieSessionStore(
      SessionSeal seal,
      CookieStoreSettings settings,
      Revocations revocations,
      Clock clock,
      ConcurrentHashMap<String, Held> held,
      Object[] locks) {
    this.seal = seal;
    this.settings = settings;
    this.revocations = revocations;
    this.clock = clock;
    this.held = held;
    this.locks = locks;
  }

  /**
   * Another instance over the same held values and revocation store: what a second app instance
   * sees of a session whose cookies a request carries to it.
   */
  public CookieSessionStore peer(Clock peerClock) {
    return new CookieSessionStore(
        seal, settings, revocations, requireNonNull(peerClock, "clock"), held, locks);
  }

  /** The most characters of sealed session the configured cookies hold. */
  public int limit() {
    return seal.limit();
  }

  /** How many sessions requests hold in memory now; 0 when no request is in flight. */
  public int heldCount() {
    return held.size();
  }

  @Override
  public Set<StoreCapability> capabilities() {
    return EnumSet.noneOf(StoreCapability.class);
  }

  @Override
  public String cookieName() {
    return settings.cookieName();
  }

  @Override
  public Optional<String> receive(List<String> values) {
    requireNonNull(values, "values");
    Optional<SessionSeal.Opened> opened = seal.open(values);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    SessionRecord r = opened.get().record();
    if (r.isExpired(clock.instant())) {
      return Optional.empty();
    }
    if (revocations.refuses(r)
        && load(r.id()).map(newer -> newer.version() <= r.version()).orElse(true)) {
      // refused, unless a concurrent request of the same client holds a newer value here: then
      // this request works on that newer value, never on the replayed older one
      return Optional.empty();
    }
    List<String> sealed = opened.get().currentKey() ? List.copyOf(values) : seal.seal(r);
    boolean holding =
        locked(
            r.id(),
            () -> {
              Held h = held.get(r.id());
              if (h == null) {
                held.put(r.id(), new Held(sealed, 1));
                return true;
              }
              held.put(r.id(), h.plusHolder());
              return h.live();
            });
    return holding ? Optional.of(r.id()) : Optional.empty();
  }

  @Override
  public List<String> cookieValues(String id) {
    Held h = held.get(requireNonNull(id, "id"));
    return h == null || !h.live() ? List.of() : h.values();
  }

  @Override
  public void release(String id) {
    requireNonNull(id, "id");
    locked(
        id,
        () -> {
          Held h = held.get(id);
          if (h != null) {
            if (h.holders() <= 1) {
              held.remove(id);
            } else {
              held.put(id, new Held(h.values(), h.holders() - 1));
            }
          }
          return null;
        });
  }

  @Override
  public Optional<SessionRecord> load(String id) {
    SessionIds.requireValid(id);
    Held h = held.get(id);
    if (h == null || !h.live()) {
      return Optional.empty();
    }
    // a held value was checked against the revocation list when it was received, or written here
    return seal.open(h.values())
        .map(SessionSeal.Opened::record)
        .filter(r -> r.id().equals(id) && !r.isExpired(clock.instant()));
  }

  @Override
  public OptionalLong currentVersion(String id) {
    Optional<SessionRecord> r = load(id);
    return r.isPresent() ? OptionalLong.of(r.get().version()) : OptionalLong.empty();
  }

  @Override
  public SaveResult create(SessionRecord session) {
    requireNonNull(session, "session");
    List<String> values = seal.seal(session);
    if (revocations.revoked(session.id())) {
      return SaveResult.idTaken();
    }
    return locked(
        session.id(),
        () -> {
          if (held.containsKey(session.id())) {
            return SaveResult.idTaken();
          }
          held.put(session.id(), new Held(values, 1));
          return SaveResult.saved(session.version());
        });
  }

  @Override
  public SaveResult save(SessionDelta delta) {
    requireNonNull(delta, "delta");
    String id = delta.id();
    SessionRecord.Merge[] done = new SessionRecord.Merge[1];
    SaveResult result =
        locked(
            id,
            () -> {
              Optional<SessionRecord> current = load(id);
              if (current.isEmpty()) {
                return SaveResult.gone();
              }
              SessionRecord.Merge m = current.get().merge(delta);
              List<String> values = seal.seal(m.record()); // too large: nothing changes
              held.put(id, new Held(values, held.get(id).holders()));
              done[0] = m;
              return SaveResult.saved(m.record().version(), m.conflicts());
            });
    if (done[0] != null && (settings.trackEveryWrite() || delta.principal() != null)) {
      revocations.raiseMinimum(done[0].record());
    }
    return result;
  }

  @Override
  public boolean delete(String id) {
    SessionIds.requireValid(id);
    SessionRecord[] gone = new SessionRecord[1];
    locked(
        id,
        () -> {
          Held h = held.get(id);
          if (h != null && h.live()) {
            gone[0] = load(id).orElse(null);
            held.put(id, new Held(List.of(), h.holders()));
          }
          return null;
        });
    if (gone[0] == null) {
      return false;
    }
    revocations.revoke(gone[0]);
    return true;
  }

  @Override
  public SaveResult rotateId(String oldId, String newId) {
    SessionIds.requireValid(oldId);
    SessionIds.requireValid(newId);
    if (revocations.revoked(newId)) {
      return load(oldId).isPresent() ? SaveResult.idTaken() : SaveResult.gone();
    }
    SessionRecord[] old = new SessionRecord[1];
    SaveResult result =
        lockedBoth(
            oldId,
            newId,
            () -> {
              Optional<SessionRecord> current = load(oldId);
              if (current.isEmpty()) {
                return SaveResult.gone();
              }
              if (held.containsKey(newId)) {
                return SaveResult.idTaken();
              }
              SessionRecord moved = current.get().withId(newId);
              held.put(newId, new Held(seal.seal(moved), 1));
              held.put(oldId, new Held(List.of(), held.get(oldId).holders()));
              old[0] = current.get();
              return SaveResult.saved(moved.version());
            });
    if (old[0] != null) {
      revocations.revoke(old[0]);
    }
    return result;
  }

  @Override
  public Set<String> findByPrincipal(String principal) {
    throw new UnsupportedOperationException(
        "the cookie store keeps each session in its client's cookies: no server knows which "
            + "sessions a principal holds, so sessions cannot be listed or ended by principal");
  }

  @Override
  public List<SessionRecord> sweepExpired(int limit) {
    throw new UnsupportedOperationException(
        "the cookie store cannot sweep expired sessions: they expire in the clients' cookies, "
            + "unseen by any server, so no expiry event fires");
  }

  private <T> T locked(String id, Supplier<T> action) {
    synchronized (locks[stripe(id)]) {
      return action.get();
    }
  }

  private <T> T lockedBoth(String a, String b, Supplier<T> action) {
    int i = stripe(a);
    int j = stripe(b);
    Object first = locks[Math.min(i, j)];
    Object second = locks[Math.max(i, j)];
    synchronized (first) {
      synchronized (second) {
        return action.get();
      }
    }
  }

  private static int stripe(String id) {
    return (id.hashCode() & Integer.MAX_VALUE) % STRIPES;
  }

  private static Object[] newLocks() {
    Object[] l = new Object[STRIPES];
    for (int i = 0; i < STRIPES; i++) {
      l[i] = new Object();
    }
    return l;
  }

  /**
   * One id's value while requests hold it.
   *
   * @param values the sealed cookie values; empty once deleted or rotated away (a tombstone for as
   *     long as requests hold it)
   * @param holders how many requests hold it
   */
  private record Held(List<String> values, int holders) {
    boolean live() {
      return !values.isEmpty();
    }

    Held plusHolder() {
      return new Held(values, holders + 1);
    }
  }
}
