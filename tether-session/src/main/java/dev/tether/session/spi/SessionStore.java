package dev.tether.session.spi;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Where sessions live: memory, a shared directory, Redis, a SQL database or a data grid. The
 * interface is as small as the session manager needs; all policy (timeouts, rotation on login,
 * CSRF, codecs) lives above it, and every implementation passes the shared contract suite {@code
 * dev.tether.session.contract.SessionStoreContract}.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li><b>Time.</b> A store is built with a {@link java.time.Clock} and judges expiry only by it:
 *       a session is expired once {@code clock.instant()} reaches {@link SessionRecord#expiresAt()}
 *       (logical expiry). A backend TTL may be used as a safety net only, set relative and longer
 *       than the logical lifetime.
 *   <li><b>Deltas.</b> {@link #save} applies a {@link SessionDelta} atomically with exactly the
 *       semantics of {@link SessionRecord#merge}: per-attribute last writer wins, overwritten
 *       concurrent changes reported as conflicts, version plus one. A Redis store does this in one
 *       script call (one round trip), a JDBC store in one transaction.
 *   <li><b>No resurrection.</b> A write never creates a session that is absent, deleted, rotated
 *       away or expired; it answers {@link SaveResult.Outcome#GONE}. {@link #delete} and {@link
 *       #rotateId} leave a tombstone on the old id for at least the session's idle timeout, during
 *       which the id cannot be created or rotated to again.
 *   <li><b>Expiry once.</b> {@link #sweepExpired} removes expired sessions such that each one is
 *       claimed by exactly one caller across all store instances sharing a backend (so expiry
 *       events fire once), removing its principal index entry in the same step.
 *   <li><b>Principal index.</b> {@link #findByPrincipal} reflects creates, principal changes,
 *       deletes, rotations and sweeps.
 *   <li><b>Opaque values.</b> Attribute bytes are stored and returned unchanged, whatever they
 *       hold.
 * </ul>
 *
 * <h2>Implementing a store</h2>
 *
 * <ul>
 *   <li>Keep per attribute its bytes <em>and</em> the version that wrote it ({@link
 *       AttributeValue}); {@link #load} must return both unchanged, the contract compares whole
 *       records.
 *   <li>Redis: a hash per session (meta fields plus one field per attribute value and one per
 *       attribute version), a Lua script per write that checks existence and expiry, compares
 *       attribute versions with the delta's base, writes and bumps the version in one call; a
 *       tombstone key with a relative TTL; a sorted set of expiry times for the sweep, each member
 *       claimed by a script that re-checks expiry and deletes (principal set included).
 *   <li>JDBC: a session row (id, version, times, expiry, principal) and an attribute table (name,
 *       bytes, version); a save is one transaction: {@code SELECT … FOR UPDATE} of the row, merge,
 *       write, version plus one; the sweep selects expired rows {@code FOR UPDATE SKIP LOCKED} so
 *       concurrent sweepers claim disjoint sets.
 *   <li>Grid or any map with atomic per-key compute: call {@link SessionRecord#merge} inside the
 *       compute, as the memory store does.
 * </ul>
 *
 * <p>Optional parts ({@link #capabilities()}): a store that cannot list sessions by principal or
 * sweep expired sessions declares it and throws {@link UnsupportedOperationException} for them. A
 * {@link ClientSideStore} keeps sessions in the client's cookies instead of on a server.
 *
 * <p>Implementations are thread-safe. Methods block on I/O: call them from request threads or a
 * bounded executor, never from an event loop. Arguments are never {@code null}; ids are checked
 * with {@link SessionIds#requireValid}. Implementations never log raw ids.
 *
 * <pre>{@code
 * Optional<SessionRecord> s = store.load(id);
 * SaveResult r = store.save(SessionDelta.builder(id, s.get().version()).set("cart", json).build());
 * if (r.outcome() == SaveResult.Outcome.GONE) {
 *   // logged out or expired meanwhile: the change is dropped, the session stays dead
 * }
 * }</pre>
 */
public interface SessionStore extends AutoCloseable {

  /**
   * The session stored under {@code id}; empty when absent, tombstoned or expired at the store's
   * clock.
   */
  Optional<SessionRecord> load(String id);

  /**
   * The current version of {@code id} without reading its attributes; empty when absent, tombstoned
   * or expired. This is the near cache's validation call and must be cheaper than {@link #load}
   * (one small read).
   */
  OptionalLong currentVersion(String id);

  /**
   * Stores a new session as given (normally at version 1).
   *
   * @return {@code SAVED} with the record's version, or {@code ID_TAKEN} when the id exists (live
   *     or expired but not yet swept) or is tombstoned
   */
  SaveResult create(SessionRecord session);

  /**
   * Applies {@code delta} atomically as {@link SessionRecord#merge} describes.
   *
   * @return {@code SAVED} with the new version and any conflicts, or {@code GONE}
   */
  SaveResult save(SessionDelta delta);

  /**
   * Deletes the session and its principal index entry and leaves a tombstone for at least its idle
   * timeout, so an in-flight save cannot bring it back.
   *
   * @return whether a live session was deleted
   */
  boolean delete(String id);

  /**
   * Moves the session from {@code oldId} to {@code newId} atomically, keeping its attributes,
   * creation time and principal, with version plus one; {@code oldId} is tombstoned and the
   * principal index points to {@code newId}.
   *
   * @return {@code SAVED} with the new version, {@code GONE} when {@code oldId} is not live, or
   *     {@code ID_TAKEN} when {@code newId} exists or is tombstoned (then nothing changes)
   */
  SaveResult rotateId(String oldId, String newId);

  /**
   * Ids of the sessions whose principal is {@code principal}. May include sessions that are expired
   * but not yet swept; never includes deleted or rotated-away ids.
   *
   * @throws UnsupportedOperationException when the store lacks {@link
   *     StoreCapability#PRINCIPAL_INDEX}
   */
  Set<String> findByPrincipal(String principal);

  /**
   * Removes up to {@code limit} sessions that are expired at the store's clock, together with their
   * principal index entries, and returns them as they were stored. Each expired session is returned
   * by exactly one call across all instances sharing the backend, however many sweep concurrently.
   * Also drops tombstones that have run out (never returned).
   *
   * @param limit at least 1
   * @throws UnsupportedOperationException when the store lacks {@link StoreCapability#EXPIRY_SWEEP}
   */
  List<SessionRecord> sweepExpired(int limit);

  /**
   * The optional parts of the contract this store provides; the default is all of them. For each
   * one missing, the matching operation throws {@link UnsupportedOperationException} saying why.
   */
  default Set<StoreCapability> capabilities() {
    return java.util.EnumSet.allOf(StoreCapability.class);
  }

  /**
   * As {@link #load}, for a request the balancer says arrived under {@code binding} ({@code
   * Tether-Binding: server; epoch=n}). A near cache that cached the session under the same binding
   * may answer without asking the backend; every other store ignores the binding (the default).
   */
  default Optional<SessionRecord> load(String id, String binding) {
    return load(id);
  }

  /**
   * The backend's publish/subscribe channel for near-cache invalidations, or {@code null} (the
   * default) when it has none; without one a near cache validates every read with the store.
   */
  default Invalidations invalidations() {
    return null;
  }

  /**
   * The app instances that hold {@code id} in their own memory, primary first, by the names the
   * balancer's pool gives them (a data grid's owners of the key); the servlet filter tells the
   * balancer in {@code Tether-Session-Owners} so a failover goes to one of them. Empty (the
   * default) for stores every instance reads alike (Redis, SQL, a shared directory). Must not do
   * I/O.
   */
  default List<String> owners(String id) {
    return List.of();
  }

  /**
   * Whether {@code failure}, thrown by one of this store's operations, means its backend is
   * unavailable (unreachable, too slow, out of resources or shutting down) rather than that the
   * call itself was refused (a bad argument, an unsupported operation, a limit). A circuit breaker
   * ({@link dev.tether.session.circuit.CircuitBreakingStore}) counts only outages. The default is
   * {@link StoreFailures#isOutage}; a store whose client library reports outages with exceptions of
   * its own (Lettuce's timeouts, say) adds those. Must not do I/O.
   */
  default boolean isOutage(RuntimeException failure) {
    return StoreFailures.isOutage(failure);
  }

  /** Releases connections and threads the store owns; the default does nothing. */
  @Override
  default void close() {}
}
