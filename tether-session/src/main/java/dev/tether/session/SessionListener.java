package dev.tether.session;

import dev.tether.session.spi.SessionRecord;
import java.util.Set;

/**
 * Session lifecycle events from a {@link SessionManager}. Ids appear only as salted digests
 * ({@link SessionIdDigest}). Every method has an empty default; implementations must be
 * thread-safe and quick (they run on request and sweep threads).
 *
 * <p>Expiry events fire once per session across all app instances, because each expired session
 * is claimed by exactly one {@link dev.tether.session.spi.SessionStore#sweepExpired} call.
 */
public interface SessionListener {

  /** A new session was stored. */
  default void created(String idDigest) {}

  /** A session expired and was removed by this instance's sweep. */
  default void expired(String idDigest, SessionRecord record) {}

  /**
   * A session was invalidated (logout, admin kill). {@code lifetime} is seconds since creation.
   */
  default void deleted(String idDigest, long lifetimeSeconds) {}

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

  /** A store call took {@code nanos}; {@code operation} is the SPI method name. */
  default void storeLatency(String operation, long nanos) {}
}
