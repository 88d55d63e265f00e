package dev.tether.session;

import dev.tether.session.spi.SessionRecord;
import java.util.List;
import java.util.Set;

/**
 * Session lifecycle events from a {@link SessionManager}. Ids appear only as salted digests ({@link
 * SessionIdDigest}). Every method has an empty default; implementations must be thread-safe and
 * quick (they run on request and sweep threads).
 *
 * <p>Expiry events fire once per session across all app instances, because each expired session is
 * claimed by exactly one {@link dev.tether.session.spi.SessionStore#sweepExpired} call.
 */
public interface SessionListener {

  /** A new session was stored. */
  default void created(String idDigest) {}

  /** A session expired and was removed by this instance's sweep. */
  default void expired(String idDigest, SessionRecord record) {}

  /**
   * A session was invalidated (logout, admin kill). {@code lifetimeSeconds} is the time since
   * creation, or -1 when unknown (bulk invalidation by principal).
   */
  default void deleted(String idDigest, long lifetimeSeconds) {}

  /**
   * A session was ended by id on this instance, not through a request that holds it: all sessions
   * of a principal ({@link PrincipalSessions#invalidateAll}, {@link
   * PrincipalSessions#invalidateOthers}), one a user ended from their session list, one evicted
   * under a {@link ConcurrentSessionLimit}, or one terminated for a binding mismatch. {@code
   * record} is the session as it was, so its attributes can still be read; fires after {@link
   * #deleted}, once, on the instance that ended it.
   */
  default void endedById(String idDigest, SessionRecord record) {}

  /** A session's id was rotated (login, privilege change, renewal). */
  default void rotated(String oldIdDigest, String newIdDigest) {}

  /**
   * A save overwrote attributes that another request had changed since this one read the session
   * (last writer wins per attribute).
   */
  default void conflict(String idDigest, Set<String> attributes) {}

  /** A request presented an id that is unknown, expired or malformed; it was not adopted (R3). */
  default void unknownId(String clientAddress) {}

  /**
   * One client address presented more than the policy's limit of unknown ids within the window
   * (guessing or brute force, R27); fires once per window per address.
   */
  default void unknownIdFlood(String clientAddress, int count) {}

  /** A save found its session gone (deleted or expired meanwhile); the changes were dropped. */
  default void lostSave(String idDigest) {}

  /**
   * A request came from a client that differs from the one the session is bound to (see {@link
   * SessionPolicy.Binding}) in {@code property}, {@link SessionPolicy.Binding#ADDRESS} or {@link
   * SessionPolicy.Binding#USER_AGENT}; fires once per differing property and request. {@code
   * terminated} tells whether the session was invalidated for it (then {@link #deleted} follows).
   */
  default void bindingMismatch(String idDigest, String property, boolean terminated) {}

  /** A store call took {@code nanos}; {@code operation} is the SPI method name. */
  default void storeLatency(String operation, long nanos) {}

  /**
   * A session was written to the store (created, or saved with changes); {@code sizeBytes} is its
   * serialised size after the write: every attribute name (UTF-8) plus its encoded value, the bytes
   * a store keeps per session apart from its fixed meta data.
   */
  default void written(String idDigest, long sizeBytes) {}

  /** A listener that forwards every event to each of {@code listeners}, in order. */
  static SessionListener all(List<SessionListener> listeners) {
    List<SessionListener> ls = List.copyOf(listeners);
    return new SessionListener() {
      @Override
      public void created(String d) {
        ls.forEach(l -> l.created(d));
      }

      @Override
      public void expired(String d, SessionRecord r) {
        ls.forEach(l -> l.expired(d, r));
      }

      @Override
      public void deleted(String d, long lifetimeSeconds) {
        ls.forEach(l -> l.deleted(d, lifetimeSeconds));
      }

      @Override
      public void endedById(String d, SessionRecord r) {
        ls.forEach(l -> l.endedById(d, r));
      }

      @Override
      public void rotated(String o, String n) {
        ls.forEach(l -> l.rotated(o, n));
      }

      @Override
      public void conflict(String d, Set<String> attributes) {
        ls.forEach(l -> l.conflict(d, attributes));
      }

      @Override
      public void unknownId(String a) {
        ls.forEach(l -> l.unknownId(a));
      }

      @Override
      public void unknownIdFlood(String a, int count) {
        ls.forEach(l -> l.unknownIdFlood(a, count));
      }

      @Override
      public void lostSave(String d) {
        ls.forEach(l -> l.lostSave(d));
      }

      @Override
      public void bindingMismatch(String d, String property, boolean terminated) {
        ls.forEach(l -> l.bindingMismatch(d, property, terminated));
      }

      @Override
      public void storeLatency(String operation, long nanos) {
        ls.forEach(l -> l.storeLatency(operation, nanos));
      }

      @Override
      public void written(String d, long sizeBytes) {
        ls.forEach(l -> l.written(d, sizeBytes));
      }
    };
  }
}
